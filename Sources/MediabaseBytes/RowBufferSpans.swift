// Span entry points of ``RowBuffer`` and the COPY decoder that fill a row from a borrowed line,
// for the readers above this layer (docs/architecture.md, "Unsafe code").

extension RowBuffer {
    /// Sets ``raw``, the row as it appeared in the input, to `bytes`. Like the fields
    /// ``CopyText/decodeRow(_:into:)`` borrows, the row refers to those bytes without copying
    /// them: a reader hands the row to its sink before it reads on.
    @inline(__always) package func setRaw(_ bytes: Span<UInt8>) {
        raw = bytes.withUnsafeBufferPointer { $0 }
    }

    /// Forgets ``raw`` (a record whose text is not kept in one piece).
    @inline(__always) package func clearRaw() {
        raw = UnsafeBufferPointer(start: nil, count: 0)
    }
}

extension CopyText {
    /// Splits one COPY text line (without its newline) into fields and appends them to `row`, as
    /// ``decodeLine(_:into:)`` does, and sets the row's ``RowBuffer/raw`` to the line. Fields
    /// without a backslash are borrowed from `line`: the row is used before the line's bytes
    /// change (a reader hands it to its sink before it reads on).
    @discardableResult
    @inline(__always) package static func decodeRow(_ line: Span<UInt8>, into row: RowBuffer) -> LineEnd {
        line.withUnsafeBufferPointer { bytes in
            row.raw = bytes
            return decodeLine(bytes, into: row)
        }
    }
}
