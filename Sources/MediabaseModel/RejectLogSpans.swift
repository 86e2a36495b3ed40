import MediabaseBytes

extension RejectLog {
    /// Records one reject whose raw text is a `Span`, for the targets that hold no unsafe code
    /// (docs/architecture.md, "Unsafe code").
    package func reject(
        reason: String, detail: String, table: String, line: Int?, byteOffset: Int64?, field: String? = nil,
        raw: Span<UInt8>?
    ) throws {
        guard let raw else {
            return try reject(reason: reason, detail: detail, table: table, line: line, byteOffset: byteOffset, field: field,
                              raw: UnsafeBufferPointer<UInt8>?.none)
        }
        try raw.withUnsafeBufferPointer {
            try reject(reason: reason, detail: detail, table: table, line: line, byteOffset: byteOffset, field: field, raw: $0)
        }
    }
}
