import Foundation

/// Where in an input something happened: the file, and as much position as the reader knows.
package struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The path of the input file as the user named it.
    package var file: String
    /// The table being read, when inside table data.
    package var table: String?
    /// 1-based line in the (decompressed) text stream, when the reader counts lines.
    package var line: Int?
    /// Byte offset in the file (or in the decompressed stream, for compressed data).
    package var byteOffset: Int64?

    package init(file: String, table: String? = nil, line: Int? = nil, byteOffset: Int64? = nil) {
        self.file = file
        self.table = table
        self.line = line
        self.byteOffset = byteOffset
    }

    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let byteOffset { text += " (byte \(byteOffset))" }
        if let table { text += " in table \(table)" }
        return text
    }
}

/// Every failure the library reports to a user.
package enum MediabaseError: Error, LocalizedError, Equatable {
    /// The input does not follow its format at `location`; `expected` says what should have been there.
    case malformedInput(SourceLocation, expected: String)
    /// The input is in a format or variant mediabase does not read (e.g. an lz4-compressed archive).
    case unsupportedInput(SourceLocation, reason: String)
    /// More rows or fields were rejected than `--max-rejects` allows; `location` is the last
    /// reject's, `last` its reason and detail.
    case tooManyRejects(SourceLocation, count: Int, limit: Int, last: String)
    /// The file system refused an operation.
    case io(path: String, message: String)
    /// The command line or configuration is inconsistent, or asks to replace an output
    /// without `--force`.
    case usage(String)
    /// An output was written but failed its validation (docs/spec.md §7); the message lists the
    /// failed checks.
    case validationFailed(String)
    /// A value or name the input holds cannot be written to the target (PostgreSQL cannot
    /// hold a NUL byte in text, nor names over 63 bytes).
    case unrepresentable(String)
    /// A file given as a mediabase output (a core, a bundle, a patient file) is not one this
    /// version reads.
    case notMediabaseOutput(String)
    /// A defect of mediabase itself, not of the input or the command line.
    case internalError(String)

    package var errorDescription: String? {
        switch self {
        case let .malformedInput(location, expected):
            return "\(location): expected \(expected)"
        case let .unsupportedInput(location, reason):
            return "\(location): unsupported input: \(reason)"
        case let .tooManyRejects(location, count, limit, last):
            return "\(location): too many rejects: \(count) > --max-rejects \(limit) (last: \(last))"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .usage(message), let .unrepresentable(message), let .notMediabaseOutput(message):
            return message
        case let .validationFailed(failures):
            return "validation failed: \(failures)"
        case let .internalError(message):
            return "internal error (please report it): \(message)"
        }
    }
}
