import Foundation
import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseOutput
@testable import MediabaseValidate
import MediabaseConcurrency

/// The core checks pass on a sound core and name what is wrong in a broken one.
final class CoreValidatorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-validator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A small core with the unique key indexes: two genes, three transcripts, links on both.
    private func core(_ name: String, extra: String = "") throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent(name).path)
        try database.execute(SchemaFiles.sqliteCore)
        for statement in SchemaFiles.statements(SchemaFiles.sqliteIndexes) where statement.contains("CREATE UNIQUE INDEX") {
            try database.execute(statement)
        }
        try database.execute("""
            INSERT INTO schema_versions VALUES ('\(SQLiteCoreWriter.schemaVersion)', '2024-01-01T00:00:00Z', NULL);
            INSERT INTO genes (gene_id, gene_symbol) VALUES ('ENSG1', 'TP53'), ('ENSG2', 'BRCA1');
            INSERT INTO transcripts (transcript_id, gene_id) VALUES ('ENST1', 'ENSG1'), ('ENST2', 'ENSG1'), ('ENST3', 'ENSG2');
            INSERT INTO drug_interactions (drug_interaction_id, drug_name, source_database) VALUES (1, 'aspirin', 'DrugCentral');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES ('ENSG1', 1, 'target'), ('ENSG2', 1, 'target');
            INSERT INTO transcript_go_terms (transcript_id, go_id) VALUES ('ENST1', 'GO:1'), ('ENST1', 'GO:2'), ('ENST3', 'GO:1');
            \(extra)
            """)
        return database
    }

    private func check(_ checks: [ValidationCheck], _ name: String) -> ValidationCheck? { checks.first { $0.name == name } }

    func testSoundCorePasses() throws {
        let checks = try CoreValidator.validate(try core("sound.sqlite"), expectedCounts: ["genes": 2, "transcript_go_terms": 3], viewTables: false)
        XCTAssertTrue(checks.allSatisfy(\.passed), "\(checks)")
        XCTAssertEqual(check(checks, "foreign_keys")?.detail, "every link row has both ends")
    }

    func testLinkRowsWithoutTheirParentAreNamed() throws {
        let database = try core("orphans.sqlite", extra: """
            INSERT INTO transcript_go_terms (transcript_id, go_id) VALUES ('ENST9', 'GO:1'), ('ENST9', 'GO:2'), ('ENST8', 'GO:1');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES ('ENSG1', 7, 'target');
            """)
        let foreign = try XCTUnwrap(check(try CoreValidator.validate(database, viewTables: false), "foreign_keys"))
        XCTAssertFalse(foreign.passed)
        XCTAssertTrue(foreign.detail.contains("transcript_go_terms.transcript_id: 2 value(s) not in transcripts.transcript_id, e.g. 'ENST8'"), foreign.detail)
        XCTAssertTrue(foreign.detail.contains("gene_drug_interactions.drug_interaction_id: 1 value(s) not in drug_interactions.drug_interaction_id, e.g. '7'"), foreign.detail)
        XCTAssertFalse(foreign.detail.contains("gene_drug_interactions.gene_id"), foreign.detail)
    }

    /// The key checks that need no index, run on a connection of their own before the indexes
    /// exist (as a conversion runs them while its indexes build), give the verdicts the whole
    /// validation gives with the indexes, in the same place among the checks.
    func testKeyChecksBeforeTheIndexesGiveTheSameVerdicts() throws {
        let path = directory.appendingPathComponent("early.sqlite").path
        let database = try SQLiteDatabase(path: path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute("""
            INSERT INTO schema_versions VALUES ('\(SQLiteCoreWriter.schemaVersion)', '2024-01-01T00:00:00Z', NULL);
            INSERT INTO genes (gene_id, gene_symbol) VALUES ('ENSG1', 'TP53'), ('ENSG2', 'BRCA1');
            INSERT INTO transcripts (transcript_id, gene_id) VALUES ('ENST1', 'ENSG1'), ('ENST2', 'ENSG9'), ('ENST3', 'ENSG2');
            INSERT INTO transcript_go_terms (transcript_id, go_id) VALUES ('ENST1', 'GO:1'), ('ENST7', 'GO:2');
            """)
        let early = try CoreValidator.indexFreeKeyChecks(try SQLiteDatabase(path: path, readOnly: true), keySets: MemoryPool(bytes: 1 << 20))
        XCTAssertEqual(early.map(\.name), ["foreign_keys", "unique_genes", "transcripts_have_genes"])
        XCTAssertEqual(early.map(\.passed), [false, true, false])
        XCTAssertEqual(check(early, "transcripts_have_genes")?.detail, "1 transcript(s) without their gene")
        for statement in SchemaFiles.statements(SchemaFiles.sqliteIndexes) { try database.execute(statement) }
        let whole = try CoreValidator.validate(database, thorough: false, viewTables: false)
        XCTAssertEqual(try CoreValidator.validate(database, thorough: false, viewTables: false, indexFreeKeyChecks: { early }), whole)
        XCTAssertEqual(whole.filter { early.map(\.name).contains($0.name) }, early)
        XCTAssertEqual(whole.map(\.name), ["schema_present", "schema_version", "quick_check", "foreign_keys", "unique_genes", "transcripts_have_genes"])
        // The checks given are the ones reported: they are not run a second time.
        let given = [ValidationCheck(name: "foreign_keys", passed: false, detail: "given")]
        XCTAssertEqual(try CoreValidator.validate(database, thorough: false, viewTables: false, indexFreeKeyChecks: { given }).map(\.detail).last, "given")
    }

    /// The keys are looked up by the hash of their text; a value whose text differs from its
    /// parent's (a REAL column's 1.0 against the key 1) is settled by SQL's comparison, and a
    /// missing value after a run of present ones is found.
    func testForeignKeysAreComparedAsSQLComparesThem() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("affinity.sqlite").path)
        try database.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
            CREATE TABLE child (parent_id REAL REFERENCES parent (id), parent_name TEXT REFERENCES parent (name));
            INSERT INTO parent VALUES (1, 'one'), (2, 'two');
            INSERT INTO child VALUES (1, 'one'), (1, 'one'), (2, 'two'), (NULL, NULL), (2, 'two'), (2, 'three'), (2, 'two');
            """)
        XCTAssertEqual(try database.scalar("SELECT typeof(parent_id) || ' ' || parent_id FROM child LIMIT 1"), "real 1.0")
        // The parents' keys in a set, then walked in order beside the children's values.
        for keySetBytes in [CoreValidator.keySetBytes, 0] {
            var holding: Set<String> = []
            let violations = try CoreValidator.foreignKeyViolations(database, tables: ["child", "parent"], holding: &holding, keySets: MemoryPool(bytes: keySetBytes))
            XCTAssertEqual(violations, ["child.parent_name: 1 value(s) not in parent.name, e.g. 'three'"], "\(keySetBytes)")
            XCTAssertEqual(holding, ["child.parent_id → parent.id"], "\(keySetBytes)")
        }
    }

    /// Walked in order, the keys are compared as SQLite orders them: integers as numbers (10
    /// after 9, where its text sorts before), text as bytes; a value missing before, between and
    /// after the keys, or repeated, is found missing, and the verdict is the set's.
    func testForeignKeysWalkedInOrderGiveTheSetsVerdicts() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("walk.sqlite").path)
        try database.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent (id), parent_name TEXT REFERENCES parent (name));
            CREATE INDEX child_id ON child (parent_id);
            WITH RECURSIVE n(value) AS (SELECT 2 UNION ALL SELECT value + 1 FROM n WHERE value < 12)
            INSERT INTO parent SELECT value, 'n' || value FROM n WHERE value != 7;
            INSERT INTO child VALUES (10, 'n10'), (9, 'n9'), (2, 'n2'), (12, 'n12'), (10, 'n10'), (NULL, NULL);
            """)
        for keySetBytes in [CoreValidator.keySetBytes, 0] {
            var holding: Set<String> = []
            XCTAssertEqual(try CoreValidator.foreignKeyViolations(database, tables: ["child"], holding: &holding, keySets: MemoryPool(bytes: keySetBytes)), [])
            XCTAssertEqual(holding, ["child.parent_id → parent.id", "child.parent_name → parent.name"], "\(keySetBytes)")
        }
        for (row, missing) in [("(1, 'n1')", "'1'"), ("(7, 'n7')", "'7'"), ("(13, 'n13')", "'13'")] {
            try database.execute("DELETE FROM child WHERE parent_id NOT IN (2, 9, 10, 12); INSERT INTO child VALUES \(row), \(row)")
            var verdicts: [[String]] = []
            for keySetBytes in [CoreValidator.keySetBytes, 0] {
                var holding: Set<String> = []
                verdicts.append(try CoreValidator.foreignKeyViolations(database, tables: ["child"], holding: &holding, keySets: MemoryPool(bytes: keySetBytes)))
                XCTAssertTrue(holding.isEmpty, "\(row) \(keySetBytes)")
            }
            XCTAssertEqual(verdicts[0], verdicts[1], row)
            XCTAssertTrue(verdicts[1].contains("child.parent_id: 1 value(s) not in parent.id, e.g. \(missing)"), "\(verdicts[1])")
            XCTAssertEqual(verdicts[1].count, 2, "\(verdicts[1])")
        }
    }

    /// A parent whose keys do not fit the sets' budget is checked in passes, each over a share
    /// of the keys (by hash): the verdicts are those of one set and of the walk in order, a
    /// missing value is found whichever pass it falls in, and a budget too small for a pass's
    /// set gives no verdict (the walk decides).
    func testForeignKeysCheckedInPassesGiveTheSetsVerdicts() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("passes.sqlite").path)
        try database.execute("""
            CREATE TABLE parent (name TEXT PRIMARY KEY);
            CREATE TABLE child (parent_name TEXT REFERENCES parent (name));
            WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 20000)
            INSERT INTO parent SELECT 'key' || value FROM n;
            INSERT INTO child SELECT name FROM parent WHERE rowid % 3 != 0 ORDER BY name DESC;
            INSERT INTO child VALUES (NULL);
            """)
        let (rows, column) = (20000, "child.parent_name → parent.name")
        let whole = PackedHashSet.bytes(holding: rows)
        // Room for a set of half the keys (with its margin) but not all of them: two passes.
        let half = whole * 3 / 5
        func inPasses(_ bytes: Int) throws -> Bool? {
            try CoreValidator.allFoundInPasses([("parent_name", "child")], among: "name", of: "parent", keySets: MemoryPool(bytes: bytes), database)?.first
        }
        XCTAssertEqual(try inPasses(whole), true)
        XCTAssertEqual(try inPasses(half), true)
        XCTAssertNil(try inPasses(whole / 100))
        for missing in ["key0", "key20001", "kez", "", "key1\u{0}"] {
            try database.execute("DELETE FROM child WHERE parent_name NOT IN (SELECT name FROM parent)")
            let insert = try database.prepare("INSERT INTO child VALUES (?)")
            try insert.bind(1, missing)
            try insert.run()
            XCTAssertEqual(try inPasses(whole), false, missing)
            XCTAssertEqual(try inPasses(half), false, missing)
            // The missing value first, in the first batch of lookups rather than the last.
            try database.execute("DROP TABLE IF EXISTS reversed; CREATE TABLE reversed AS SELECT parent_name FROM child ORDER BY rowid DESC")
            XCTAssertEqual(try CoreValidator.allFoundInPasses([("parent_name", "reversed")], among: "name", of: "parent", keySets: MemoryPool(bytes: whole), database)?.first,
                           false, missing)
            var verdicts: [[String]] = []
            for keySetBytes in [whole, half, 0] {
                var holding: Set<String> = []
                verdicts.append(try CoreValidator.foreignKeyViolations(database, tables: ["child"], holding: &holding, keySets: MemoryPool(bytes: keySetBytes)))
                XCTAssertFalse(holding.contains(column), "\(keySetBytes)")
            }
            XCTAssertEqual(verdicts[0], verdicts[1], missing)
            XCTAssertEqual(verdicts[0], verdicts[2], missing)
            XCTAssertEqual(verdicts[0].count, 1, "\(verdicts[0])")
        }
        try database.execute("DELETE FROM child WHERE parent_name NOT IN (SELECT name FROM parent)")
        var holding: Set<String> = []
        XCTAssertEqual(try CoreValidator.foreignKeyViolations(database, tables: ["child"], holding: &holding, keySets: MemoryPool(bytes: half)), [])
        XCTAssertEqual(holding, [column])
    }

    /// A parent's children are checked together, each pass's keys read once for all of them:
    /// each child gets its own verdict (a missing value in one does not fail the other), and the
    /// violations are listed in table order, not by parent, whatever the budget.
    func testChildrenOfOneParentCheckedTogetherKeepTheirOwnVerdicts() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("siblings.sqlite").path)
        try database.execute("""
            CREATE TABLE parent (name TEXT PRIMARY KEY);
            CREATE TABLE other (id INTEGER PRIMARY KEY);
            CREATE TABLE a_child (other_id INTEGER REFERENCES other (id), parent_name TEXT REFERENCES parent (name));
            CREATE TABLE b_child (parent_name TEXT REFERENCES parent (name));
            WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 20000)
            INSERT INTO parent SELECT 'key' || value FROM n;
            INSERT INTO other VALUES (1), (2);
            INSERT INTO a_child SELECT 1 + rowid % 2, name FROM parent WHERE rowid % 5 = 0;
            INSERT INTO a_child VALUES (99, 'key7');
            INSERT INTO b_child SELECT name FROM parent WHERE rowid % 3 = 0 ORDER BY name DESC;
            INSERT INTO b_child VALUES ('key0'), ('key20001');
            """)
        let whole = PackedHashSet.bytes(holding: 20000)
        let children = [(column: "parent_name", table: "a_child"), (column: "parent_name", table: "b_child")]
        for bytes in [whole, whole * 3 / 5, whole / 3] {
            XCTAssertEqual(try CoreValidator.allFoundInPasses(children, among: "name", of: "parent", keySets: MemoryPool(bytes: bytes), database), [true, false], "\(bytes)")
        }
        let expected = ["a_child.other_id: 1 value(s) not in other.id, e.g. '99'", "b_child.parent_name: 2 value(s) not in parent.name, e.g. 'key0'"]
        for bytes in [CoreValidator.keySetBytes, whole * 3 / 5, whole / 3, 0] {
            var holding: Set<String> = []
            XCTAssertEqual(try CoreValidator.foreignKeyViolations(database, tables: ["a_child", "b_child", "other", "parent"], holding: &holding,
                                                                  keySets: MemoryPool(bytes: bytes)), expected, "\(bytes)")
            XCTAssertEqual(holding, ["a_child.parent_name → parent.name"], "\(bytes)")
        }
    }

    func testTranscriptWithoutGeneAndWrongCountsFail() throws {
        let database = try core("broken.sqlite", extra: "INSERT INTO transcripts (transcript_id, gene_id) VALUES ('ENST4', 'ENSG4');")
        let checks = try CoreValidator.validate(database, expectedCounts: ["genes": 3], viewTables: false)
        XCTAssertEqual(check(checks, "transcripts_have_genes")?.passed, false)
        XCTAssertEqual(check(checks, "foreign_keys")?.passed, false)
        XCTAssertEqual(check(checks, "row_counts")?.detail, "genes: 2 rows, expected 3")
    }

    func testMissingViewTablesAreListed() throws {
        let checks = try CoreValidator.validate(try core("no-views.sqlite"), viewTables: true)
        XCTAssertEqual(checks.count, 1)
        XCTAssertFalse(checks[0].passed)
        XCTAssertTrue(checks[0].detail.contains("gene_summary_view"), checks[0].detail)
    }

    /// Checks split in two (the core while the view tables are built, then the view tables)
    /// give the checks one run gives, and still notice a missing view table or a wrong count.
    func testCompletingCoreChecksWithTheViewTables() throws {
        let database = try core("split.sqlite")
        for statement in SchemaFiles.statements(SchemaFiles.sqliteViews) where SchemaFiles.createdTable(statement) != "go_term_hierarchy_view" {
            try database.execute(statement)
        }
        let coreChecks = try CoreValidator.validate(database, thorough: false, viewTables: false)
        let checks = try CoreValidator.completeWithViewTables(coreChecks, database: database, expectedCounts: ["genes": 2, "gene_summary_view": 3])
        XCTAssertEqual(checks.map(\.name), ["schema_present", "schema_version", "quick_check", "foreign_keys", "unique_genes", "transcripts_have_genes", "row_counts"])
        XCTAssertEqual(check(checks, "schema_present")?.passed, false)
        XCTAssertTrue(check(checks, "schema_present")?.detail.contains("missing: go_term_hierarchy_view") ?? false)
        XCTAssertEqual(check(checks, "quick_check")?.detail, "ok")
        XCTAssertEqual(check(checks, "row_counts")?.detail, "gene_summary_view: 2 rows, expected 3")

        try database.execute(SchemaFiles.statements(SchemaFiles.sqliteViews).first { SchemaFiles.createdTable($0) == "go_term_hierarchy_view" }!)
        let complete = try CoreValidator.completeWithViewTables(coreChecks, database: database, expectedCounts: ["genes": 2, "gene_summary_view": 2])
        XCTAssertTrue(complete.allSatisfy(\.passed), "\(complete)")
        XCTAssertEqual(check(complete, "schema_present")?.detail, "every core table and view table exists")
        XCTAssertEqual(check(complete, "row_counts")?.detail, "2 tables match")
    }

    /// View tables whose pages are damaged fail `quick_check` in SQLite's words, the one of the
    /// most rows too (checked on a second connection), listed in table order.
    func testDamagedViewTablesFailQuickCheckInTableOrder() throws {
        let path = directory.appendingPathComponent("damaged.sqlite").path
        var database: SQLiteDatabase? = try core("damaged.sqlite")
        for statement in SchemaFiles.statements(SchemaFiles.sqliteViews) { try database!.execute(statement) }
        try database!.execute("DELETE FROM gene_summary_view; INSERT INTO gene_summary_view (gene_id) VALUES ('ENSG1'), ('ENSG2'), ('ENSG3')")
        try database!.execute("""
            WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 100)
            INSERT INTO cross_reference_lookup_view (external_db, external_id) SELECT 'db', 'id' || value FROM n
            """)
        let coreChecks = try CoreValidator.validate(database!, thorough: false, viewTables: false)
        let counts = ["gene_summary_view": 3, "cross_reference_lookup_view": 100]
        XCTAssertEqual(check(try CoreValidator.completeWithViewTables(coreChecks, database: database!, expectedCounts: counts), "quick_check")?.detail, "ok")
        let pageSize = try XCTUnwrap(Int(try XCTUnwrap(database!.scalar("PRAGMA page_size"))))
        let roots = try ["gene_summary_view", "cross_reference_lookup_view"].map { table in
            try XCTUnwrap(Int(try XCTUnwrap(database!.scalar("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]))))
        }
        database = nil
        // Each table's root page (a leaf: both fit one page) lists its first two rows the wrong
        // way round (the cell pointers after the 8-byte header swapped): rowids out of order.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for root in roots {
            let header = (root - 1) * pageSize
            XCTAssertEqual(bytes[header], 0x0D, "a table leaf page")
            let (first, second) = (bytes[(header + 8)..<(header + 10)], bytes[(header + 10)..<(header + 12)])
            bytes.replaceSubrange((header + 8)..<(header + 12), with: second + first)
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let damaged = try SQLiteDatabase(path: path)
        let quickCheck = try XCTUnwrap(check(try CoreValidator.completeWithViewTables(coreChecks, database: damaged, expectedCounts: counts), "quick_check"))
        XCTAssertFalse(quickCheck.passed)
        XCTAssertFalse(quickCheck.detail.hasPrefix("ok"), quickCheck.detail)
        let pages = roots.map { "On tree page \($0) " }
        let positions = pages.map { quickCheck.detail.range(of: $0)?.lowerBound }
        XCTAssertTrue(positions.allSatisfy { $0 != nil }, quickCheck.detail)
        if let first = positions[0], let second = positions[1] { XCTAssertLessThan(first, second, quickCheck.detail) }
    }
}
