// Span entry points of the JSON object and array-literal readers that hand parts of the input to
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

extension ArrayLiteral {
    /// Calls `body` for every element, in order, flattening nested dimensions; nil is a NULL
    /// element (see the pointer variant).
    package static func forEachElement(
        _ bytes: Span<UInt8>,
        delimiter: UInt8 = UInt8(ascii: ","),
        _ body: (Span<UInt8>?) throws -> Void
    ) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachElement(buffer, delimiter: delimiter) { element in
                guard let element else { return try body(nil) }
                try body(element.span)
            }
        }
    }
}
