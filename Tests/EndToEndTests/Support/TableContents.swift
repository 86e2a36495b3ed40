import Foundation
import MediabaseTestSupport

/// A table's contents as PostgreSQL itself prints them: what a dump reader must reproduce.
struct TableContents {
    /// `schema.table`, unquoted, as in `TableSchema.qualifiedName`.
    var qualifiedName: String
    /// Column names in table order.
    var columns: [String]
    /// Rows in physical order (the order pg_dump writes them); each field is the UTF-8 text
    /// output of the value, nil for NULL.
    var rows: [[[UInt8]?]]
}

extension PostgresCluster {
    /// Reads every user table of `database` through PostgreSQL's own type output functions.
    ///
    /// The session uses the output settings pg_dump sets for itself (`setup_connection()` in
    /// `pg_dump.c`: ISO dates, `postgres` intervals, `extra_float_digits = 3`), so each value is
    /// exactly the text pg_dump writes for it. Every name and value travels hex-encoded and is
    /// decoded here, so psql's formatting cannot blur a field boundary and the expected values
    /// owe nothing to the library's own decoders.
    func tableContents(database: String) throws -> [TableContents] {
        let catalog = try psql(sql: """
            SELECT concat_ws('|', encode(convert_to(n.nspname, 'UTF8'), 'hex'), encode(convert_to(c.relname, 'UTF8'), 'hex'),
                             string_agg(encode(convert_to(a.attname, 'UTF8'), 'hex'), ',' ORDER BY a.attnum))
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
            GROUP BY n.nspname, c.relname
            ORDER BY n.nspname, c.relname;
            """, database: database)
        return try catalog.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
            let schema = Self.text(fromHex: parts[0])
            let table = Self.text(fromHex: parts[1])
            let columns = parts[2].split(separator: ",").map { Self.text(fromHex: $0) }
            return TableContents(
                qualifiedName: "\(schema).\(table)", columns: columns,
                rows: try rows(of: Self.quoteIdentifier(schema) + "." + Self.quoteIdentifier(table), columns: columns, database: database)
            )
        }
    }

    /// One psql line per row, `r` then the fields joined by `|`: hex text, or `-` for NULL.
    /// (`concat` applies the output function: `true::text` would give `true`, not `t`.)
    private func rows(of table: String, columns: [String], database: String) throws -> [[[UInt8]?]] {
        let fields = columns.map { name -> String in
            let column = Self.quoteIdentifier(name)
            return "CASE WHEN \(column) IS NULL THEN '-' ELSE encode(convert_to(concat(\(column)), 'UTF8'), 'hex') END"
        }
        let output = try psql(sql: """
            SET DateStyle = ISO;
            SET IntervalStyle = postgres;
            SET extra_float_digits = 3;
            SELECT 'r' || concat_ws('|', \(fields.joined(separator: ", "))) FROM \(table) ORDER BY ctid;
            """, database: database)
        return output.split(separator: "\n").map { line in
            line.dropFirst().split(separator: "|", omittingEmptySubsequences: false).map { field in
                field == "-" ? nil : Self.bytes(fromHex: field)
            }
        }
    }

    private static func text(fromHex hex: Substring) -> String {
        String(decoding: bytes(fromHex: hex), as: UTF8.self)
    }

    private static func bytes(fromHex hex: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for digit in hex.utf8 {
            let value = digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
