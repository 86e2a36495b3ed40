import Foundation

// Span entry points of the JSON, array-literal and COPY codecs for the layers above this one
// (docs/architecture.md, "Unsafe code"): the same decoders, with the bytes they hand to a
// callback as spans valid only during the call.

extension JSON {
    /// Calls `body` with the raw bytes of each element of a top-level array, in order (see the
    /// pointer variant).
    package static func forEachElement(_ bytes: Span<UInt8>, _ body: (_ value: Span<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachElement(buffer) { value in try body(Span(_unsafeElements: value)) }
        }
    }
}

extension ArrayLiteral {
    /// Appends the array as JSON text (see the pointer variant); on error `out` is left as it was.
    package static func appendJSON(_ bytes: Span<UInt8>, delimiter: UInt8 = UInt8(ascii: ","), to out: inout [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try appendJSON($0, delimiter: delimiter, to: &out) }
    }
}

extension CopyText {
    /// Appends the COPY text of a NULL field, `\N`.
    @inline(__always) package static func encodeNull(into out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x4E)
    }
}
