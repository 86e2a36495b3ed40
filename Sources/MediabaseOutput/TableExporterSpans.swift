import MediabaseBytes

extension TableExporter {
    /// Whether valid JSON text holds the escape `\u0000` (see the pointer variant), for the targets
    /// that hold no unsafe code (docs/architecture.md, "Unsafe code").
    package static func hasNULEscape(_ json: Span<UInt8>) -> Bool {
        json.withUnsafeBufferPointer { hasNULEscape($0) }
    }
}
