import MediabaseBytes
/// A patient identifier that docs/spec.md §5.1 allows: `^[A-Za-z][A-Za-z0-9_]{0,62}$`.
///
/// The id becomes part of a schema name (`patient_<id>`) and a file name
/// (`patient_<id>.sqlite`), both lower-cased, so anything else is refused before it can reach
/// SQL text or the file system: `x; DROP TABLE`, `../etc`, `é`, a leading digit, 64 characters.
///
///     let id = try PatientId("PATIENT123", origin: "--patient-id")
///     id.schemaName        // "patient_patient123"
package struct PatientId: Hashable, Sendable, CustomStringConvertible {
    /// The id as given (case kept): what `metadata.patient_id` holds.
    package let value: String

    /// Longest id the rule allows.
    package static let maximumLength = 63

    /// Checks `text` against the rule.
    /// - Parameter origin: where the id came from, for the error (`manifest m.csv line 3`).
    package init(_ text: String, origin: String) throws {
        if let problem = Self.problem(with: text) {
            throw MediabaseError.usage(
                "patient id \(Self.quoted(text)) from \(origin) is refused: \(problem). A patient id starts with an ASCII letter and continues with at most \(Self.maximumLength - 1) ASCII letters, digits or underscores (^[A-Za-z][A-Za-z0-9_]{0,62}$)")
        }
        value = text
    }

    /// The id lower-cased, as it appears in schema and file names.
    package var lowercased: String { value.lowercased() }

    /// `patient_<id>`: the schema name in PostgreSQL and the `ATTACH ... AS` name in SQLite.
    package var schemaName: String { Self.schemaName(of: value) }

    /// `patient_<id>.sqlite`.
    package var sqliteFileName: String { schemaName + Self.sqliteFileSuffix }

    /// What starts a patient's schema and file names.
    package static let namePrefix = "patient_"
    private static let sqliteFileSuffix = ".sqlite"

    /// `patient_<id lower-cased>` for an id text (checked or not).
    package static func schemaName(of id: String) -> String { namePrefix + id.lowercased() }

    /// The id text a file name carries: `x` for `patient_x.sqlite`; nil for a name of another
    /// form. The text is not checked against the rule (see ``problem(with:)``).
    package static func idText(ofSQLiteFileName name: String) -> String? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(sqliteFileSuffix),
              name.count > namePrefix.count + sqliteFileSuffix.count else { return nil }
        return String(name.dropFirst(namePrefix.count).dropLast(sqliteFileSuffix.count))
    }

    package var description: String { value }

    /// Why `text` is not a valid id, or nil when it is.
    package static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return "it is empty" }
        guard isLetter(first) else {
            return "it starts with \(quoted(String(text.unicodeScalars.first!))), not a letter"
        }
        if let bad = text.unicodeScalars.first(where: { !$0.isASCII || !(isLetter(UInt8($0.value)) || isDigit(UInt8($0.value)) || $0 == "_") }) {
            return "it contains \(quoted(String(bad)))"
        }
        guard bytes.count <= maximumLength else { return "it has \(bytes.count) characters, more than \(maximumLength)" }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The text in double quotes with control characters and quotes escaped, so a hostile id
    /// cannot garble the message it appears in.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
