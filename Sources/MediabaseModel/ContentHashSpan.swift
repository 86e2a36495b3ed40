extension ContentHash {
    /// The hash of `bytes` (the same value as the pointer variant gives).
    package init(_ bytes: Span<UInt8>) {
        self = bytes.withUnsafeBufferPointer { ContentHash($0) }
    }
}
