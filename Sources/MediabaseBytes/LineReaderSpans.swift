// The Span entry point of ``LineReader``, for the layers above this one (docs/architecture.md,
// "Unsafe code").

extension LineReader {
    /// The next line without its newline, or nil at end of stream; its bytes are valid until the
    /// next call, and the compiler keeps the span from outliving the reader.
    @_lifetime(borrow self)
    @inline(__always) package func nextLineBytes() throws -> Span<UInt8>? {
        guard let line = try nextLine() else { return nil }
        return _overrideLifetime(Span(_unsafeElements: line), borrowing: self)
    }
}
