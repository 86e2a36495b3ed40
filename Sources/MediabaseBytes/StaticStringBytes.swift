// The bytes of a `StaticString` (a literal) as a `Span`, for the layers above this one
// (docs/architecture.md, "Unsafe code"): reading its buffer needs a pointer.

extension StaticString {
    /// Calls `body` with the literal's UTF-8 bytes.
    @inlinable package func withBytes<Result>(_ body: (Span<UInt8>) -> Result) -> Result {
        withUTF8Buffer { body($0.span) }
    }
}
