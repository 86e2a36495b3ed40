import XCTest
import MediabaseBytes
import MediabaseModel
@testable import MediabaseOutput
import MediabaseTestSupport

/// A carried table's primary key reaches the writer before its rows (an archive's TOC) or after
/// them (a plain dump's `ALTER TABLE ... ADD CONSTRAINT`): the core must hold the same table
/// either way, so that every form of one database's dump converts to the same core.
final class CarriedPrimaryKeyTests: ScratchFolderTestCase {
    private static let columns = [ColumnInfo(name: "id", type: "integer"), ColumnInfo(name: "code", type: "text"),
                                  ColumnInfo(name: "phase", type: "double precision"), ColumnInfo(name: "tags", type: "text[]")]
    /// Ids and codes out of key order, a NULL, an array.
    private static let rows: [[String?]] = [
        ["30", "c", "2.5", "{a,b}"], ["4", "a", nil, "{}"], ["17", "b", "1", nil], ["-2", "d", "0", "{x}"],
    ]

    /// The table `t` as the writer stores it, key `key` given before or after the rows, with
    /// `others` carried before it: its declaration, its rows in rowid order with the rowid, and
    /// the writer's account of it.
    private static var runs = 0

    private func carry(key: [String], keyFirst: Bool, rows: [[String?]] = rows, others: [String] = [], form: SQLiteCoreWriter.CarriedValueForm = .sqlite)
        throws -> (declaration: String?, rows: [String], carried: SQLiteCoreWriter.CarriedTable?) {
        Self.runs += 1
        let writer = try SQLiteCoreWriter(path: path("carried-\(Self.runs).sqlite"), carriedValues: form)
        let buffer = RowBuffer()
        for name in others {
            try writer.beginCarriedTable(TableSchema(schema: "public", name: name, columns: [ColumnInfo(name: "x", type: "text")]))
            try writer.endCarriedTable()
        }
        let schema = TableSchema(schema: "public", name: "t", columns: Self.columns, primaryKey: keyFirst ? key : [])
        try writer.beginCarriedTable(schema)
        for row in rows {
            buffer.reset()
            for field in row {
                if let field {
                    buffer.appendString(field)
                    buffer.endField()
                } else {
                    buffer.appendNull()
                }
            }
            try writer.carriedRow(buffer)
        }
        try writer.endCarriedTable()
        if !keyFirst {
            var declared = schema
            declared.primaryKey = key
            try writer.carriedPrimaryKey(declared)
        }
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z", forQueries: false)
        let declaration = try writer.database.scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 't'")
        let stored = try writer.database.rows("SELECT rowid, id, typeof(id), code, phase, typeof(phase), tags FROM t ORDER BY rowid").map {
            $0.map { $0 ?? "NULL" }.joined(separator: "|")
        }
        let aside = try writer.database.rows("SELECT name FROM sqlite_master WHERE name LIKE 't\\_%' ESCAPE '\\'").compactMap { $0[0] }
        XCTAssertEqual(aside, others.filter { $0.lowercased().hasPrefix("t_") }, "a table set aside is left")
        return (declaration, stored, writer.carriedTables.first { $0.name == "t" })
    }

    func testAKeyDeclaredAfterTheRowsGivesTheTableOfAKeyDeclaredBefore() throws {
        for key in [["id"], ["code"], ["code", "id"]] {
            for form in [SQLiteCoreWriter.CarriedValueForm.sqlite, .postgresText] {
                let before = try carry(key: key, keyFirst: true, form: form)
                let after = try carry(key: key, keyFirst: false, form: form)
                XCTAssertEqual(after.declaration, before.declaration, "\(key) \(form)")
                XCTAssertEqual(after.rows, before.rows, "\(key) \(form)")
                XCTAssertEqual(after.carried, before.carried, "\(key) \(form)")
                XCTAssertEqual(after.carried?.primaryKey, key, "\(key) \(form)")
                XCTAssertTrue(try XCTUnwrap(after.declaration).hasSuffix("PRIMARY KEY (\(key.map { "\"\($0)\"" }.joined(separator: ", "))))"),
                              "\(after.declaration ?? "")")
                XCTAssertEqual(after.rows.count, Self.rows.count)
            }
        }
        // An integer key is SQLite's rowid: the rows are in key order, computed here from the input.
        let ids = Self.rows.compactMap { $0[0].flatMap(Int.init) }.sorted()
        XCTAssertEqual(try carry(key: ["id"], keyFirst: false).rows.map { $0.split(separator: "|")[0] }, ids.map { Substring(String($0)) })
        // Any other key keeps the rows in their order.
        XCTAssertEqual(try carry(key: ["code"], keyFirst: false).rows.map { String($0.split(separator: "|")[3]) }, Self.rows.map { $0[1]! })
    }

    func testAKeyOfAColumnTheTableLacksOrATableNotCarriedChangesNothing() throws {
        let plain = try carry(key: [], keyFirst: true)
        XCTAssertEqual(try carry(key: ["no_such_column"], keyFirst: false).declaration, plain.declaration)
        XCTAssertEqual(try carry(key: ["no_such_column"], keyFirst: false).rows, plain.rows)
        XCTAssertFalse(try XCTUnwrap(plain.declaration).contains("PRIMARY KEY"))
    }

    func testTheNameSetAsideDoesNotClashWithACarriedTable() throws {
        let before = try carry(key: ["id"], keyFirst: true).rows
        // SQLite's names ignore ASCII case: either spelling is taken.
        for other in ["t_without_key", "T_Without_Key"] {
            XCTAssertEqual(try carry(key: ["id"], keyFirst: false, others: [other]).rows, before, other)
        }
    }

    func testRowsThatBreakTheKeyFailAsTheyDoWhenTheKeyComesFirst() throws {
        let duplicated = Self.rows + [["4", "e", "1", "{}"]]
        XCTAssertThrowsError(try carry(key: ["id"], keyFirst: true, rows: duplicated))
        XCTAssertThrowsError(try carry(key: ["id"], keyFirst: false, rows: duplicated))
    }
}
