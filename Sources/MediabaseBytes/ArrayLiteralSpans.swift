// Span entry points of the array-literal decoder, for the layers above this one
// (docs/architecture.md, "Unsafe code").

extension ArrayLiteral {
    /// Calls `body` for every element, in order, flattening nested dimensions; nil is a NULL
    /// element (see the pointer variant). The spans are valid only during the call.
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
