import MediabaseBytes
import MediabaseModel
/// The forms in which `generate` writes the legacy database (`--formats`).
package enum LegacyDumpFormat: String, CaseIterable, Codable, Sendable {
    /// A pg_dump plain script with COPY blocks.
    case plain
    /// The same script with one `INSERT INTO ... (columns) VALUES (...)` per row
    /// (`pg_dump --column-inserts`).
    case inserts
    /// `COPY cancer_transcript_base TO ... WITH (FORMAT csv, HEADER)` of the legacy table.
    case csv

    /// The file name inside the output folder.
    package var fileName: String {
        switch self {
        case .plain: return "mbase.sql"
        case .inserts: return "mbase.inserts.sql"
        case .csv: return "cancer_transcript_base.csv"
        }
    }

    /// Appends one field encoded for this form.
    ///
    /// * COPY text (plain): ``CopyText/encodeField(_:into:)``; the planted invalid byte as an
    ///   octal escape, which COPY FROM decodes to the raw byte.
    /// * INSERT: a standard-conforming string literal (`'` doubled, backslashes literal);
    ///   numbers and booleans bare; the planted invalid byte in an `E'\351'` literal.
    /// * CSV (PostgreSQL `CopyAttributeOutCSV`): quoted when the value contains the delimiter,
    ///   a quote, CR or LF, or is empty (an unquoted empty field is NULL); quotes doubled; the
    ///   planted byte raw, as a dump from a SQL_ASCII database carries it.
    func appendField(_ value: FieldValue, kind: LegacyColumn.Kind, to out: inout [UInt8]) {
        switch self {
        case .plain:
            switch value {
            case .null: out.append(contentsOf: [0x5C, 0x4E])
            case let .bytes(bytes): Self.appendCopyEscaped(bytes, to: &out)
            case let .invalidUTF8(prefix, byte, suffix):
                Self.appendCopyEscaped(prefix, to: &out)
                Self.appendOctal(byte, to: &out)
                Self.appendCopyEscaped(suffix, to: &out)
            }
        case .inserts:
            switch value {
            case .null: out.append(literal: "NULL")
            case let .bytes(bytes):
                if kind == .number {
                    out.append(contentsOf: bytes)
                } else if kind == .boolean {
                    out.append(literal: bytes == [UInt8(ascii: "t")] ? "true" : "false")
                } else {
                    Self.appendSQLString(bytes, to: &out)
                }
            case let .invalidUTF8(prefix, byte, suffix):
                out.append(contentsOf: [UInt8(ascii: "E"), 0x27])
                Self.appendEscapeStringContent(prefix, to: &out)
                Self.appendOctal(byte, to: &out)
                Self.appendEscapeStringContent(suffix, to: &out)
                out.append(0x27)
            }
        case .csv:
            switch value {
            case .null: break
            case let .bytes(bytes): Self.appendCSV(bytes, to: &out)
            case let .invalidUTF8(prefix, byte, suffix): Self.appendCSV(prefix + [byte] + suffix, to: &out)
            }
        }
    }

    private static func appendCopyEscaped(_ bytes: [UInt8], to out: inout [UInt8]) {
        CopyText.encodeField(bytes.span, into: &out)
    }

    private static func appendOctal(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x30 + (byte >> 6))
        out.append(0x30 + ((byte >> 3) & 7))
        out.append(0x30 + (byte & 7))
    }

    static func appendSQLString(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(0x27)
        for byte in bytes {
            if byte == 0x27 { out.append(0x27) }
            out.append(byte)
        }
        out.append(0x27)
    }

    private static func appendEscapeStringContent(_ bytes: [UInt8], to out: inout [UInt8]) {
        for byte in bytes {
            if byte == 0x27 || byte == 0x5C { out.append(byte) }
            out.append(byte)
        }
    }

    static func appendCSV(_ bytes: [UInt8], to out: inout [UInt8]) {
        let needsQuotes = bytes.isEmpty || bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        for byte in bytes {
            if byte == 0x22 { out.append(0x22) }
            out.append(byte)
        }
        out.append(0x22)
    }
}
