/// A decoding failure inside one field or line, before the caller knows the file and table.
///
/// Readers catch it and rethrow as ``MediabaseError/malformedInput(_:expected:)`` with the full
/// location, adding `offset` to the field's position.
public struct DecodeError: Error, Equatable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the decoded bytes.
    public var offset: Int
    /// What the decoder expected to find there.
    public var expected: String

    public init(offset: Int, expected: String) {
        self.offset = offset
        self.expected = expected
    }

    public var description: String { "byte \(offset): expected \(expected)" }
}
