/// A decoding failure inside one field or line, before the caller knows the file and table.
///
/// Readers catch it and rethrow as ``MediabaseError/malformedInput(_:expected:)`` with the full
/// location, adding `offset` to the field's position.
package struct DecodeError: Error, Equatable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the decoded bytes.
    package var offset: Int
    /// What the decoder expected to find there.
    package var expected: String

    package init(offset: Int, expected: String) {
        self.offset = offset
        self.expected = expected
    }

    package var description: String { "byte \(offset): expected \(expected)" }
}
