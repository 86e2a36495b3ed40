import MediabaseBytes
/// Names and types from a dump, spelled into PostgreSQL DDL so that no name can change what the
/// statement does.
///
/// Only carried tables bring names and types from the input; the core's come from `schemas/`.
package enum PostgresNames {
    /// PostgreSQL truncates longer identifiers (`NAMEDATALEN` − 1), which could merge two names.
    static let maxIdentifierBytes = 63

    /// `name` as a double-quoted identifier, `"` doubled (SQL standard; PostgreSQL's
    /// `quote_identifier`). Every identifier is quoted, so case and reserved words need no
    /// thought.
    ///
    /// Refused: empty names, names longer than 63 bytes, and names with control characters. A
    /// quoted name may legally hold a newline, but no part of a bundle should ever need a
    /// reader to know that to find where a line or statement ends.
    package static func quoted(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= maxIdentifierBytes,
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else {
            throw MediabaseError.unrepresentable("the name \(name.debugDescription) cannot be used in PostgreSQL DDL: names must be 1 to \(maxIdentifierBytes) bytes without control characters")
        }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `public."name"`: every table of a bundle lives in `public`, and the parts run with
    /// `search_path = pg_catalog`, so a table named like a catalog table still means ours.
    static func qualified(_ table: String) throws -> String { "public." + (try quoted(table)) }

    /// The type a carried column gets in the bundle: the dump's declared type when it is one of
    /// PostgreSQL's built-in types in its plain spelling (with modifiers, time-zone words and array
    /// brackets), `text` otherwise.
    ///
    /// Anything else — a user-defined enum or domain the bundle does not create, or text that is
    /// not a type at all — becomes `text`, which holds the dumped value unchanged (it is that
    /// type's output text). The allow-list also means no type text is ever copied into DDL
    /// unchecked.
    static func columnType(_ declared: String?) -> String {
        guard let declared else { return "text" }
        let type = declared.trimmingWhitespace.lowercased()
        return type.wholeMatch(of: builtInType) != nil ? type : "text"
    }

    private static let builtInType = try! Regex(
        #"(?:pg_catalog\.)?(?:"# + [
            // Types without modifiers.
            #"(?:smallint|integer|bigint|int|int2|int4|int8|real|float4|float8|double precision|boolean|bool|text|bytea"#
                + #"|date|json|jsonb|uuid|inet|cidr|macaddr|macaddr8|money|oid|xml|tsvector|tsquery|point|line|lseg|box"#
                + #"|path|polygon|circle|name|"char")"#,
            // A length or precision.
            #"(?:character varying|varchar|character|char|bpchar|bit varying|varbit|bit|float|interval|timetz|timestamptz)(?:\(\d{1,5}\))?"#,
            // Precision and scale.
            #"(?:numeric|decimal)(?:\(\d{1,4}(?:,-?\d{1,4})?\))?"#,
            #"(?:time|timestamp)(?:\(\d\))?(?: with(?:out)? time zone)?"#,
        ].joined(separator: "|") + #")(?:\[\d*\])*"#)
}
