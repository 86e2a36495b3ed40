import Foundation
import Yams
import MediabaseBytes

/// `--config FILE`: YAML or JSON (JSON is YAML) with the long flags' names as keys, with or
/// without the leading dashes and with `-` or `_` (`max-rejects`, `max_rejects`). A flag given
/// on the command line wins over the file; a null value counts as absent.
///
/// The file is checked whole, whichever flags are given: a command asks for every key it reads
/// (the getters take the flag's value and return the one that applies), then calls
/// ``rejectUnknownKeys(of:)``, so a misspelt key or a value its flag would refuse is an error
/// naming the file and line instead of a setting silently ignored.
final class ConfigFile {
    private struct Entry {
        /// The key as the file writes it.
        var written: String
        var value: Node
        var line: Int?
    }

    private let path: String
    private var entries: [String: Entry] = [:]
    private var asked: Set<String> = []

    /// No config file: every getter returns its flag's value.
    init() {
        path = ""
    }

    init(path: String) throws {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MediabaseError.io(path: path, message: "cannot read the config file")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, path: path)
        }
        guard let root, root.null == nil else { return }
        guard let mapping = root.mapping else {
            throw MediabaseError.malformedInput(SourceLocation(file: path, line: root.mark?.line),
                                                expected: "a mapping of option names to values")
        }
        for (key, value) in mapping {
            guard let written = key.scalar?.string else {
                throw MediabaseError.malformedInput(SourceLocation(file: path, line: key.mark?.line), expected: "an option name as a key")
            }
            let name = written.drop { $0 == "-" }.replacingOccurrences(of: "_", with: "-")
            if let earlier = entries[name] {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: path, line: key.mark?.line),
                    expected: "each option once, found \(written) again (line \(earlier.line.map(String.init) ?? "?") has \(earlier.written))")
            }
            entries[name] = Entry(written: written, value: value, line: key.mark?.line)
        }
    }

    /// A YAML syntax error as `FILE:LINE: expected YAML or JSON: problem`.
    private static func syntaxError(_ error: YamlError, path: String) -> MediabaseError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .malformedInput(SourceLocation(file: path, line: mark.line), expected: "YAML or JSON (\(problem))")
        default:
            return .malformedInput(SourceLocation(file: path), expected: "YAML or JSON (\(error))")
        }
    }

    func string(_ key: String, flag: String?) throws -> String? {
        try value(key, flag: flag, expected: "a single value") { $0 }
    }

    func int(_ key: String, flag: Int?, atLeast minimum: Int) throws -> Int? {
        try value(key, flag: flag, expected: "a whole number of at least \(minimum)") { Int($0).flatMap { $0 >= minimum ? $0 : nil } }
    }

    func int(_ key: String, flag: Int?, in range: ClosedRange<Int>) throws -> Int? {
        try value(key, flag: flag, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)") {
            Int($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    func uint64(_ key: String, flag: UInt64?) throws -> UInt64? {
        try value(key, flag: flag, expected: "a whole number of at least 0") { UInt64($0) }
    }

    func double(_ key: String, flag: Double?, in range: ClosedRange<Double>) throws -> Double? {
        try value(key, flag: flag, expected: "a number between \(range.lowerBound) and \(range.upperBound)") {
            Double($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A size such as `300MB`, parsed by `parse` (a YAML number is taken as its text: bytes).
    func size(_ key: String, flag: Int64?, expected: String, parse: (String) -> Int64?) throws -> Int64? {
        try value(key, flag: flag, expected: expected, parse: parse)
    }

    /// A switch flag: on when the flag is given or the file says `true`.
    func bool(_ key: String, flag: Bool) throws -> Bool {
        let fromFile = try value(key, flag: nil, expected: "true or false") { text -> Bool? in
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        }
        return flag || fromFile == true
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, flag: Value?) throws -> Value? where Value.RawValue == String {
        try value(key, flag: flag, expected: "one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))") { Value(rawValue: $0) }
    }

    /// Fails on the first key (in the file's order) that no getter asked for.
    func rejectUnknownKeys(of command: String) throws {
        let unknown = entries.filter { !asked.contains($0.key) }.values.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        guard let first = unknown.first else { return }
        throw MediabaseError.malformedInput(
            SourceLocation(file: path, line: first.line),
            expected: "an option of mediabase \(command) (\(asked.sorted().joined(separator: ", "))), found \(first.written)")
    }

    /// `flag` when given, else the file's value for `key` parsed by `parse`; the file's value
    /// is checked either way.
    private func value<Value>(_ key: String, flag: Value?, expected: String, parse: (String) -> Value?) throws -> Value? {
        asked.insert(key)
        guard let entry = entries[key], entry.value.null == nil else { return flag }
        guard let text = entry.value.scalar?.string, let parsed = parse(text) else {
            let found = entry.value.scalar.map { "'\($0.string)'" } ?? (entry.value.sequence != nil ? "a list" : "a mapping")
            throw MediabaseError.malformedInput(SourceLocation(file: path, line: entry.line),
                                                expected: "\(expected) for \(entry.written), found \(found)")
        }
        return flag ?? parsed
    }
}
