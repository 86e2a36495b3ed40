// The Span entry point of the JSON object reader, which hands parts of the input to
// a callback, for the layers above this one (docs/architecture.md, "Unsafe code"). The spans are
// valid only during the call.

extension JSON {
    /// Calls `body` with each member of a top-level object (see the pointer variant).
    package static func forEachMember(_ bytes: Span<UInt8>, _ body: (_ key: Span<UInt8>, _ value: Span<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachMember(buffer) { key, value in try body(key.span, value.span) }
        }
    }
}
