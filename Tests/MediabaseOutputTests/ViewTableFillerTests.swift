import Foundation
import MediabaseBytes
import XCTest
import MediabaseConcurrency
@testable import MediabaseSQLite
@testable import MediabaseOutput
@testable import MediabaseGenerate
import MediabaseTestSupport

/// The view tables ViewTableFiller fills from index scans hold exactly the rows of the SQL
/// queries that define them (the queries below, which the PostgreSQL twin also uses), on
/// hand-made edge cases and on a generated core.
final class ViewTableFillerTests: XCTestCase {
    /// The SQL definitions the filler replaces, as SQLite runs them.
    static let referenceQueries: [String: String] = [
        "transcript_enrichment_view": """
            SELECT t.transcript_id, t.gene_id, genes.gene_symbol,
                   (SELECT count(*) FROM transcript_go_terms g WHERE g.transcript_id = t.transcript_id) AS go_term_count,
                   (SELECT json_group_array(product_type)
                    FROM (SELECT product_type FROM transcript_products p WHERE p.transcript_id = t.transcript_id ORDER BY product_type)) AS product_types,
                   t.expression_fold_change
            FROM transcripts t JOIN genes USING (gene_id)
            ORDER BY t.transcript_id
            """,
        "patient_query_optimized_view": """
            SELECT t.transcript_id, t.gene_id, s.gene_symbol,
                   s.has_drugs, s.has_pathways, s.go_term_count > 0 AS has_go_terms, s.publication_count > 0 AS has_publications,
                   s.drug_count, s.pathway_count,
                   round(0.2 * ((s.drug_count > 0) + (s.pathway_count > 0) + (s.go_term_count > 0)
                                + (s.publication_count > 0) + (s.cross_reference_count > 0)), 1) AS annotation_completeness
            FROM transcripts t JOIN gene_summary_view s USING (gene_id)
            ORDER BY t.transcript_id
            """,
        "drug_interaction_summary_view": """
            WITH targets AS (
                SELECT drug_interaction_id, count(*) AS n, json_group_array(gene_symbol) AS symbols
                FROM (SELECT DISTINCT gdi.drug_interaction_id, gdi.gene_id, genes.gene_symbol
                      FROM gene_drug_interactions gdi JOIN genes USING (gene_id)
                      ORDER BY gdi.drug_interaction_id, genes.gene_symbol, gdi.gene_id)
                GROUP BY drug_interaction_id)
            SELECT di.drug_interaction_id, di.drug_name, di.source_database,
                   coalesce(targets.n, 0) AS target_gene_count, coalesce(targets.symbols, '[]') AS target_gene_symbols
            FROM drug_interactions di LEFT JOIN targets USING (drug_interaction_id)
            ORDER BY di.drug_interaction_id
            """,
        "publication_summary_view": """
            WITH
                g AS (SELECT pmid, count(*) AS n, json_group_array(gene_symbol) AS symbols
                      FROM (SELECT DISTINCT pub.pmid, pub.gene_id, genes.gene_symbol
                            FROM gene_publications pub JOIN genes USING (gene_id) ORDER BY pub.pmid, genes.gene_symbol, pub.gene_id)
                      GROUP BY pmid),
                c AS (SELECT pmid, json_group_array(reference_category) AS categories
                      FROM (SELECT DISTINCT pmid, reference_category FROM gene_publications ORDER BY pmid, reference_category)
                      GROUP BY pmid)
            SELECT g.pmid, g.n AS gene_count, g.symbols AS gene_symbols, c.categories AS reference_categories
            FROM g JOIN c USING (pmid)
            ORDER BY g.pmid
            """,
        "cross_reference_lookup_view": """
            WITH
                keys AS (
                    SELECT external_db, external_id, min(gene_id) AS gene_id FROM (
                        SELECT external_db, external_id, gene_id FROM gene_cross_references
                        UNION ALL
                        SELECT x.external_db, x.external_id, tr.gene_id
                        FROM transcript_cross_references x JOIN transcripts tr USING (transcript_id))
                    GROUP BY external_db, external_id)
            SELECT keys.external_db, keys.external_id, keys.gene_id, genes.gene_symbol,
                   (SELECT json_group_array(transcript_id) FROM (
                        SELECT tr.transcript_id FROM gene_cross_references g JOIN transcripts tr USING (gene_id)
                        WHERE g.external_db = keys.external_db AND g.external_id = keys.external_id
                        UNION
                        SELECT t.transcript_id FROM transcript_cross_references t
                        WHERE t.external_db = keys.external_db AND t.external_id = keys.external_id
                        ORDER BY 1)) AS transcript_ids
            FROM keys LEFT JOIN genes USING (gene_id)
            ORDER BY keys.external_db, keys.external_id
            """,
        // The definition (ViewTableFiller.goTermHierarchyQuery) put another way: per GO id a
        // subquery each, rather than two grouped tables joined.
        "go_term_hierarchy_view": """
            SELECT t.go_id,
                   (SELECT min(w.go_term) FROM gene_go_terms_work w WHERE w.go_id = t.go_id) AS go_term,
                   (SELECT min(w.go_category) FROM gene_go_terms_work w WHERE w.go_id = t.go_id) AS go_category,
                   (SELECT count(DISTINCT w.gene_id) FROM gene_go_terms_work w WHERE w.go_id = t.go_id) AS gene_count,
                   count(*) AS transcript_count,
                   (SELECT json_group_object(code, n) FROM (
                        SELECT coalesce(x.evidence_code, '') AS code, count(*) AS n FROM transcript_go_terms x
                        WHERE x.go_id = t.go_id GROUP BY code ORDER BY code)) AS evidence_code_counts
            FROM transcript_go_terms t
            GROUP BY t.go_id
            ORDER BY t.go_id
            """,
    ]

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("view-filler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Builds the filled view tables of `database` in file order, as the writer does, after
    /// `gene_summary_view` by its query (`patient_query_optimized_view` reads it), and compares
    /// each filled one, row by row and byte by byte (`quote`), with its reference query.
    /// With `lookupLimitBytes` 0 the cross-reference view joins by sorting instead of using its
    /// in-memory table, and the transcript views are filled by their SQL form.
    /// `only` limits the comparison to some tables.
    /// The path of a core converted from a generated dump of `genes` genes, in `directory`.
    private func generatedCore(seed: UInt64, genes: Int, name: String) throws -> String {
        let options = GenerateOptions(seed: seed, genes: genes, patients: 0, formats: [.plain], threads: 2)
        let (folder, _) = try GeneratedData.generate(options, name: name)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let path = directory.appendingPathComponent("\(name).sqlite").path
        try GeneratedData.convertDump(in: folder, to: path)
        return path
    }

    private func assertFilledEqualsReference(_ database: SQLiteDatabase, lookupLimitBytes: Int = GeneTranscriptTable.defaultLimitBytes,
                                             only: Set<String>? = nil, symbolCache: GeneSymbolCache = GeneSymbolCache(),
                                             lookupPool: MemoryPool? = nil, sortMemoryBytes: Int? = nil,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        // A converted core no longer has the load's (gene, GO term) work table: it is rebuilt from
        // the transcripts' GO terms (a row per transcript rather than per gene's GO value; the
        // view counts distinct genes).
        if try database.integer("SELECT count(*) FROM sqlite_temp_master WHERE name = 'gene_go_terms_work'") == 0 {
            try database.execute("""
                CREATE TEMP TABLE gene_go_terms_work AS
                SELECT tr.gene_id, g.go_id, g.go_term, g.go_category FROM transcript_go_terms g JOIN transcripts tr USING (transcript_id)
                """)
        }
        // The GO view's reference looks the work table up per GO id.
        try database.execute("CREATE INDEX IF NOT EXISTS temp.gene_go_terms_work_go_id ON gene_go_terms_work (go_id)")
        var filler = ViewTableFiller(database: database, symbolCache: symbolCache, lookupPool: lookupPool)
        filler.lookupLimitBytes = lookupLimitBytes
        filler.sortMemoryBytes = sortMemoryBytes
        let names = SchemaFiles.statements(SchemaFiles.sqliteViews).compactMap(SchemaFiles.createdTable)
        XCTAssertEqual(Set(names.filter(ViewTableFiller.filledTables.contains)), Set(Self.referenceQueries.keys), file: file, line: line)
        for statement in SchemaFiles.statements(SchemaFiles.sqliteViews) {
            guard let name = SchemaFiles.createdTable(statement), ViewTableFiller.filledTables.contains(name) || name == "gene_summary_view" else {
                continue
            }
            try database.execute("DROP TABLE IF EXISTS \(name)")
            try database.execute(statement)
            if ViewTableFiller.filledTables.contains(name) { try filler.fill(name) }
        }
        for name in names where ViewTableFiller.filledTables.contains(name) && only?.contains(name) != false {
            let columns = try database.rows("SELECT name FROM pragma_table_info('\(name)')").map { $0[0]! }
            let hex = columns.map { "quote(\($0))" }.joined(separator: ", ")
            let filled = try database.rows("SELECT \(hex) FROM \(name) ORDER BY rowid")
            let reference = try database.rows("SELECT \(hex) FROM (\(Self.referenceQueries[name]!))")
            XCTAssertEqual(filled.count, reference.count, name, file: file, line: line)
            for (index, (got, want)) in zip(filled, reference).enumerated() where got != want {
                XCTFail("\(name) row \(index): \(got) != \(want)", file: file, line: line)
                break
            }
        }
    }

    func testEdgeCasesMatchTheQueries() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("edge.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute(SchemaFiles.sqliteIndexes)
        // Symbols: NULL, repeated, non-ASCII, quotes, backslashes and control characters, and
        // a symbol that sorts before another gene's although its gene id sorts after.
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES
                ('ENSG1', 'TP53'), ('ENSG2', NULL), ('ENSG3', 'TP53'), ('ENSG4', 'Ä"\\x'),
                ('ENSG5', 'a' || char(9) || 'b' || char(1)), ('ENSG6', 'AAA'), ('ENSG7', NULL), ('ENSG8', 'lonely');
            INSERT INTO transcripts (transcript_id, gene_id) VALUES
                ('ENST1a', 'ENSG1'), ('ENST1b', 'ENSG1'), ('ENST2a', 'ENSG2'), ('ENST3a', 'ENSG3'),
                ('ENST4a', 'ENSG4'), ('ENST5a', 'ENSG5'), ('ENST6a', 'ENSG6'), ('ENST6b', 'ENSG6');
            INSERT INTO drug_interactions (drug_interaction_id, drug_name, source_database) VALUES
                (1, 'aspirin', 'DrugCentral'), (2, NULL, 'ChEMBL'), (3, 'untargeted', 'PharmGKB'), (10, 'é"', 'ChEMBL');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES
                ('ENSG1', 1, 'target'), ('ENSG1', 1, 'pharmgkb_pathway'), ('ENSG3', 1, 'target'), ('ENSG2', 1, 'target'),
                ('ENSG7', 1, 'target'), ('ENSG6', 1, 'target'), ('ENSG4', 2, 'target'), ('ENSG5', 10, 'target');
            INSERT INTO gene_publications (gene_id, pmid, reference_category) VALUES
                ('ENSG1', '100', 'publications'), ('ENSG1', '100', 'go'), ('ENSG3', '100', 'publications'),
                ('ENSG2', '100', 'uniprot'), ('ENSG7', '100', 'go'), ('ENSG4', '99', 'a"b'), ('ENSG5', '1000', 'x'),
                ('ENSG6', '', 'empty pmid');
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES
                ('ENSG1', 'UniProt', 'P04637'), ('ENSG3', 'UniProt', 'P04637'), ('ENSG6', 'UniProt', 'P04637'),
                ('ENSG2', 'NCBI', '7157'), ('ENSG8', 'NCBI', 'no transcripts'), ('ENSG4', 'PDB', 'Ä'),
                ('ENSG5', 'PDB', 'A'), ('ENSG5', 'pdb', 'A');
            INSERT INTO genes (gene_id, gene_symbol) VALUES (NULL, 'no id'), ('ENSG0', 'no transcripts or links');
            INSERT INTO transcripts (transcript_id, gene_id, expression_fold_change) VALUES
                ('ENST1d', 'ENSG1', 2.5), ('ENST9a', 'ENSG9 not in genes', 1.0), ('ENST1c', 'ENSG1', 'not a number');
            INSERT INTO transcript_go_terms (transcript_id, go_id, evidence_code) VALUES
                ('ENST1a', 'GO:1', 'IEA'), ('ENST1a', 'GO:2', NULL), ('ENST1b', 'GO:1', 'TAS'), ('ENST1c', 'GO:3', 'IEA'),
                ('ENST6a', 'GO:1', 'IEA'), ('ENST9a', 'GO:1', 'IEA'), ('ENST9b', 'GO:4', 'IEA');
            INSERT INTO transcript_products (transcript_id, product_type) VALUES
                ('ENST1a', 'protein_coding'), ('ENST1a', 'a"b\\c'), ('ENST1a', 'Z'), ('ENST6b', 'ncRNA'), ('ENST9a', 'lost'), ('ENST0', 'orphan');
            INSERT INTO gene_pathways (gene_id, pathway_id, origin) VALUES
                ('ENSG1', 'R-1', 'reactome'), ('ENSG1', 'R-2', 'reactome'), ('ENSG6', 'R-1', 'pharmgkb'), ('ENSG9 not in genes', 'R-1', 'x');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES ('ENSG1', 3, 'target');
            INSERT INTO transcript_cross_references (transcript_id, external_db, external_id) VALUES
                ('ENST6a', 'UniProt', 'P04637'), ('ENST5a', 'NCBI', '7157'), ('ENST2a', 'RefSeq', 'NM_1'),
                ('ENST1b', 'RefSeq', 'NM_1'), ('ENST4a', 'PDB', 'A'), ('ENST4a', 'RefSeq', 'NM_0'),
                ('ENST4a', 'NCBI', '7157');
            -- GO ids that share their start or differ by a zero byte, non-ASCII, one with genes only;
            -- codes NULL and empty (one code), with quotes, backslashes and control characters; the
            -- work table's terms repeated per gene, NULL, and an id stored as a blob (joins nothing).
            INSERT INTO transcript_go_terms (transcript_id, go_id, evidence_code) VALUES
                ('ENST2a', 'GO:10', ''), ('ENST3a', 'GO:10', NULL), ('ENST1d', 'GO:10', 'a"b\\c'),
                ('ENST4a', 'GO:10', 'tab' || char(9) || char(1)), ('ENST4a', 'GO:é', 'Ä'), ('ENST5a', 'GO:1' || char(0), 'IEA'),
                ('ENST5a', 'GO:0', 'IEA'), ('ENST6b', 'GO:1', 'IEA');
            INSERT INTO gene_go_terms_work (gene_id, go_id, go_term, go_category) VALUES
                ('ENSG1', 'GO:1', 'term b', 'process'), ('ENSG1', 'GO:1', 'term a', NULL), ('ENSG3', 'GO:1', 'term c', 'function'),
                ('ENSG1', 'GO:2', NULL, NULL), ('ENSG6', 'GO:10', 'ten', 'component'), ('ENSG2', 'GO:only genes', 'x', 'y'),
                ('ENSG9 not in genes', 'GO:1', 'term', 'process'), ('ENSG4', 'GO:é', 'é', NULL), ('ENSG3', X'474F3A30', 'blob', 'blob');
            """)
        XCTAssertNotNil(try GeneTranscriptTable.load(from: database))
        XCTAssertNil(try GeneTranscriptTable.load(from: database, limitBytes: 100))
        try assertFilledEqualsReference(database)
        try assertFilledEqualsReference(database, lookupLimitBytes: 0)
        try assertFilledEqualsReference(database, lookupLimitBytes: 0, only: ["cross_reference_lookup_view"], sortMemoryBytes: 0)
    }

    /// The cross-reference view's transcript lists: keys reaching no transcript, one, or many
    /// (a gene's transcripts stored out of order and apart, as scattered input leaves them),
    /// lists whose parts arrive in order or not, a transcript reached twice (through its gene
    /// and itself), keys whose database and id split one string differently or whose ids share
    /// their first 8 bytes (the in-memory sort's integer key), NULL and missing
    /// symbols, and transcripts or genes the core lacks; with and without the indexes, with and
    /// without the in-memory table.
    func testCrossReferenceListsMatchTheQuery() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("lists.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        // 40 transcripts of ENSG1 in a shuffled order, between ENSG2's (more than a gene's insertion
        // sort takes: they are sorted by `sort`).
        var generator = SplitMix64(state: 13)
        let many = (0..<40).map { "('ENST1_\($0)', 'ENSG1')" }.shuffled(using: &generator)
        let transcripts = many[..<20] + ["('ENST2b', 'ENSG2')", "('ENST2a', 'ENSG2')"] + many[20...]
            + ["('ENST3a', 'ENSG3')", "('ENST9a', 'ENSG9 not in genes')", "('ENST4b', 'ENSG4')", "('ENST4a', 'ENSG4')"]
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES
                ('ENSG1', 'MANY'), ('ENSG2', NULL), ('ENSG3', 'THREE'), ('ENSG4', 'FOUR'), ('ENSG5', 'NO TRANSCRIPTS');
            INSERT INTO transcripts (transcript_id, gene_id) VALUES \(transcripts.joined(separator: ", "));
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES
                ('ENSG1', 'HGNC', 'many'), ('ENSG5', 'HGNC', 'none'), ('ENSG0 nowhere', 'HGNC', 'unknown gene'),
                ('ENSG2', 'ab', 'c'), ('ENSG3', 'a', 'bc'), ('ENSG4', 'both', ''), ('ENSG2', 'both', ''),
                ('ENSG3', 'twice', 'x'), ('ENSG4', 'order', 'x'), ('ENSG2', 'order', 'x'),
                ('ENSG1', 'RefSeq', 'NM_000001234'), ('ENSG2', 'RefSeq', 'NM_00000123'), ('ENSG3', 'RefSeq', 'NM_0000012'),
                ('ENSG4', 'RefSeq', 'NM_00000124'), ('ENSG4', 'Ref', 'NM_00000123'), ('ENSG1', 'RefSeq', 'NM_00000123' || char(0));
            INSERT INTO transcript_cross_references (transcript_id, external_db, external_id) VALUES
                ('ENST4b', 'RefSeq', 'unordered'), ('ENST2a', 'RefSeq', 'unordered'), ('ENST1_7', 'RefSeq', 'unordered'),
                ('ENST2a', 'RefSeq', 'ordered'), ('ENST2b', 'RefSeq', 'ordered'), ('ENST3a', 'RefSeq', 'ordered'),
                ('ENST3a', 'twice', 'x'), ('ENST3a', 'twice', 'y'), ('ENST1_3', 'both', ''), ('ENST4a', 'both', ''),
                ('ENST9a', 'RefSeq', 'gene not in genes'), ('ENST404', 'RefSeq', 'no such transcript'),
                ('ENST404', 'both', ''), ('ENST2b', 'HGNC', 'many'), ('ENST1_0', 'zz', 'one');
            """)
        let view: Set<String> = ["cross_reference_lookup_view"]
        // A budget that holds the genes' table but not the references: SQLite sorts those.
        let tableOnly = try XCTUnwrap(try GeneTranscriptTable.load(from: database)).estimatedBytes
        // Before the lookup indexes exist (as the connection opened beside their builds fills),
        // then with them.
        for indexed in [false, true] {
            if indexed { try database.execute(SchemaFiles.sqliteIndexes) }
            try assertFilledEqualsReference(database, only: view)
            try assertFilledEqualsReference(database, lookupLimitBytes: tableOnly, only: view)
            // No budget: joined by sorting.
            try assertFilledEqualsReference(database, lookupLimitBytes: 0, only: view)
        }
        // The oracle's own view of a few keys, as a check that the data holds the cases above.
        let lists = try Dictionary(uniqueKeysWithValues: database.rows(
            "SELECT external_db || '/' || external_id, json_array_length(transcript_ids) FROM cross_reference_lookup_view").map { ($0[0]!, Int($0[1]!)!) })
        XCTAssertEqual(lists["HGNC/none"], 0)
        XCTAssertEqual(lists["zz/one"], 1)
        XCTAssertEqual(lists["HGNC/many"], 41)
        XCTAssertEqual(lists["twice/x"], 1)
        XCTAssertEqual(lists["RefSeq/unordered"], 3)
        XCTAssertNil(lists["RefSeq/no such transcript"])
    }

    /// References too many for the lookup budget are sorted a range of keys at a time: with budgets
    /// that give one range, a few, and many (keys that repeat across both tables, share their
    /// first bytes, or differ only in their database), the view's rows are those of its query;
    /// the ranges cover every key once, in order, each holding about its share of the budget.
    func testCrossReferencesSortedByKeyRangeMatchTheQuery() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("ranges.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        var generator = SplitMix64(state: 7)
        var transcripts: [String] = [], geneReferences: [String] = [], transcriptReferences: [String] = []
        for gene in 0..<60 {
            transcripts += (0..<(gene % 4)).map { "('T\(gene)_\($0)', 'G\(gene)')" }
            for copy in 0..<(1 + gene % 3) {
                geneReferences.append("('G\(gene)', '\(["HGNC", "HGN", "RefSeq"][copy])', 'ID_\(gene % 17)\(String(repeating: "x", count: gene % 5))')")
            }
            for transcript in 0..<(gene % 4) {
                transcriptReferences.append("('T\(gene)_\(transcript)', 'RefSeq', 'ID_\((gene + transcript) % 23)')")
                transcriptReferences.append("('T\(gene)_\(transcript)', 'CCDS', 'CCDS\(gene)')")
            }
        }
        let genes = (0..<60).map { "('G\($0)', \($0 % 9 == 0 ? "NULL" : "'S\($0 % 11)'"))" }
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES \(genes.joined(separator: ", "));
            INSERT INTO transcripts (transcript_id, gene_id) VALUES \(transcripts.shuffled(using: &generator).joined(separator: ", "));
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES \(geneReferences.shuffled(using: &generator).joined(separator: ", "));
            INSERT INTO transcript_cross_references (transcript_id, external_db, external_id) VALUES
                \(transcriptReferences.shuffled(using: &generator).joined(separator: ", "));
            -- Ids equal in their first 8 bytes, or but for zero bytes at their end.
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES
                ('G1', 'NUL', 'AB' || char(0)), ('G2', 'NUL', 'AB'), ('G3', 'NUL', 'ABCDEFG' || char(0) || 'X'),
                ('G4', 'NUL', 'ABCDEFG'), ('G5', 'NUL', 'ABCDEFGH' || char(0)), ('G6', 'NUL', 'ABCDEFGH'), ('G7', 'NUL', '');
            -- Transcripts and a gene the core lacks, under keys that exist and one that does not.
            INSERT INTO transcript_cross_references (transcript_id, external_db, external_id) VALUES
                ('T_missing', 'RefSeq', 'ID_3'), ('T_missing', 'CCDS', 'CCDS9'), ('T_gone', 'ZZ', 'none');
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES ('G_missing', 'RefSeq', 'ID_4');
            """)
        try database.execute(SchemaFiles.sqliteIndexes)
        let view: Set<String> = ["cross_reference_lookup_view"]
        let tableBytes = try XCTUnwrap(try GeneTranscriptTable.load(from: database)).estimatedBytes
        // What all references take loaded, as the sort counts it: a fixed row and the bytes of
        // `external_id` after its first 8 (every gene and transcript is in the table).
        let loaded = try database.integer("""
            SELECT sum(\(MemoryLayout<SortedReferences.Rows.Row>.stride) + max(0, length(CAST(external_id AS BLOB)) - 8)) FROM (
                SELECT external_id FROM gene_cross_references UNION ALL SELECT external_id FROM transcript_cross_references)
            """)
        let keys = try database.rows("""
            SELECT DISTINCT external_db, external_id FROM (SELECT external_db, external_id FROM gene_cross_references
                UNION ALL SELECT external_db, external_id FROM transcript_cross_references) ORDER BY 1, 2
            """).map { (Array($0[0]!.utf8), Array($0[1]!.utf8)) }
        for parts in [1, 3, 8] {
            let budget = loaded / parts + 64
            let ranges = try XCTUnwrap(try SortedReferences.keyRanges(in: database, limitBytes: budget), "\(parts)")
            XCTAssertGreaterThanOrEqual(ranges.count, parts, "\(parts)")
            XCTAssertLessThanOrEqual(ranges.count, 2 * parts + 1, "\(parts)")
            // Each key in exactly one range, the ranges in key order.
            var last = -1
            for (database, identifier) in keys {
                let holding = ranges.indices.filter { ranges[$0].contains(database: database.span, identifier: identifier.span) }
                XCTAssertEqual(holding.count, 1, "\(String(decoding: identifier, as: UTF8.self))")
                // The one scan finds the same range by its upper bounds.
                let uppers = ranges.dropLast().map { $0.upper ?? ([], []) }
                XCTAssertEqual(SortedReferences.KeyRange.index(database: database.span, identifier: identifier.span, uppers: uppers), holding.first)
                XCTAssertGreaterThanOrEqual(holding.first ?? -1, last)
                last = holding.first ?? last
            }
            try assertFilledEqualsReference(database, lookupLimitBytes: tableBytes + budget, only: view)
        }
        // A budget that holds nothing, or would need too many ranges: SQLite sorts.
        XCTAssertNil(try SortedReferences.keyRanges(in: database, limitBytes: 0))
        XCTAssertNil(try SortedReferences.keyRanges(in: database, limitBytes: loaded / (4 * SortedReferences.maximumRanges)))
    }

    /// A gene's transcripts come out of the in-memory table in byte order, each once, however the
    /// table stores them; genes only in `genes` have none.
    func testGeneTranscriptTableGroupsTranscriptsInByteOrder() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("table.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        var generator = SplitMix64(state: 13)
        var expected: [String: [String]] = [:]
        var rows: [String] = []
        for gene in 0..<30 {
            let ids = (0..<(gene % 7)).map { "T\(gene)-\(String(repeating: "z", count: $0 % 3))\($0)" }
            // A gene without transcripts is known only from `genes`.
            if !ids.isEmpty { expected["G\(gene)"] = ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
            rows += ids.map { "('\($0)', 'G\(gene)')" }
        }
        rows.shuffle(using: &generator)
        try database.execute("INSERT INTO transcripts (transcript_id, gene_id) VALUES \(rows.joined(separator: ", "))")
        try database.execute("INSERT INTO genes (gene_id, gene_symbol) VALUES ('G0', 'zero'), ('G100', NULL)")
        let table = try XCTUnwrap(try GeneTranscriptTable.load(from: database))
        expected["G0"] = []
        expected["G100"] = []
        for (gene, ids) in expected {
            let index = try XCTUnwrap(table.geneIndex(Array(gene.utf8).span), gene)
            var got: [String] = []
            table.forEachTranscript(ofGene: index) { got.append(String(utf8: $0)) }
            XCTAssertEqual(got, ids, gene)
            for id in ids { XCTAssertEqual(table.geneOfTranscript(Array(id.utf8).span), index, id) }
        }
        XCTAssertNil(table.geneIndex(Array("G7".utf8).span))
    }

    /// A NULL transcript id (which the normalizer never writes, but the key allows) has no GO
    /// terms or products, as the SQL's correlated subqueries give; a NULL gene id joins nothing.
    func testNullIdsInTheTranscriptViewsMatchTheQueries() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("null.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute(SchemaFiles.sqliteIndexes)
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES (NULL, 'no id'), ('ENSG1', 'A'), ('ENSG2', NULL);
            INSERT INTO transcripts (transcript_id, gene_id, expression_fold_change) VALUES
                (NULL, 'ENSG1', 2.5), ('ENST1', 'ENSG1', 0.5), ('ENST2', 'ENSG2', 3);
            INSERT INTO transcript_go_terms (transcript_id, go_id) VALUES ('ENST1', 'GO:1'), ('', 'GO:2');
            INSERT INTO transcript_products (transcript_id, product_type) VALUES ('ENST2', 'p'), ('', 'q');
            INSERT INTO gene_cross_references (gene_id, external_db, external_id) VALUES ('ENSG2', 'NCBI', '1');
            """)
        let views: Set<String> = ["transcript_enrichment_view", "patient_query_optimized_view"]
        try assertFilledEqualsReference(database, only: views)
        try assertFilledEqualsReference(database, lookupLimitBytes: 0, only: views)
        XCTAssertEqual(try database.integer("SELECT count(*) FROM patient_query_optimized_view WHERE transcript_id IS NULL"), 1)
    }

    /// The transcript views from the rowid table (``TranscriptRows``) beside the primary key's
    /// index: transcripts stored out of id order (as scattered input leaves them), a gap in the
    /// rowids, integer, real and default fold changes, a gene without a row in `genes`; the rows
    /// are the queries' in both ways of filling, and only the walk by the primary key asks for
    /// the larger page cache. A fold change stored as text makes the table give up.
    func testTranscriptRowsMatchTheQueries() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("rows.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute(SchemaFiles.sqliteIndexes)
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES ('ENSG2', 'B'), ('ENSG1', NULL), ('ENSG3', 'C');
            INSERT INTO transcripts (transcript_id, gene_id, expression_fold_change) VALUES
                ('ENST00000000009', 'ENSG2', 3), ('ENST00000000001', 'ENSG1', 2.5), ('ENST00000000005', 'ENSG3', 1.0),
                ('ENST00000000003', 'ENSG9 not in genes', 1.0), ('ENST00000000002', 'ENSG2', 0.25),
                ('ENST000000000010', 'ENSG1', 1.0), ('ENST00000000004', 'ENSG3', 7);
            INSERT INTO transcripts (transcript_id, gene_id) VALUES ('ENST00000000008', 'ENSG2'), ('ENST0000000000', 'ENSG1');
            DELETE FROM transcripts WHERE transcript_id = 'ENST00000000005';
            INSERT INTO transcript_go_terms (transcript_id, go_id) VALUES
                ('ENST00000000002', 'GO:1'), ('ENST00000000002', 'GO:2'), ('ENST00000000009', 'GO:1'), ('ENST00000000003', 'GO:1');
            INSERT INTO transcript_products (transcript_id, product_type) VALUES
                ('ENST00000000004', 'b'), ('ENST00000000004', 'a'), ('ENST000000000010', 'p');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES ('ENSG2', 1, 'target');
            INSERT INTO drug_interactions (drug_interaction_id, drug_name, source_database) VALUES (1, 'x', 'ChEMBL');
            """)
        let symbols = GeneSymbolCache()
        let summaries = try XCTUnwrap(try GeneSummaries.load(from: database, symbols: symbols, limitBytes: 1 << 20))
        // The summaries count the shared genes' table against their budget: with room for the
        // table alone they give up, and the views take their SQL form, with the same rows.
        let table = try XCTUnwrap(try symbols.table(from: database, limitBytes: 1 << 20))
        XCTAssertEqual(table.count, 3)
        XCTAssertEqual(summaries.estimatedBytes, table.estimatedBytes + 3 * MemoryLayout<GeneSummaries.Summary>.stride)
        let tableOnly = GeneSymbolCache()
        XCTAssertNil(try GeneSummaries.load(from: database, symbols: tableOnly, limitBytes: table.estimatedBytes))
        XCTAssertNotNil(try tableOnly.table(from: database, limitBytes: table.estimatedBytes), "the table itself fitted")
        let rows = try XCTUnwrap(try TranscriptRows.load(from: database, genes: summaries, limitBytes: 1 << 20))
        // Rowid 4 (ENSG9) has no summary, rowid 3 was deleted, rowid 1 is ENSG2's; none is 11.
        XCTAssertNil(rows[4])
        XCTAssertNil(rows[3])
        XCTAssertNotNil(rows[2])
        XCTAssertNil(rows[11])
        XCTAssertEqual(rows[1]?.gene, summaries.index(of: Array("ENSG2".utf8).span))
        XCTAssertNil(try TranscriptRows.load(from: database, genes: summaries, limitBytes: 100))

        let views: Set<String> = ["transcript_enrichment_view", "patient_query_optimized_view"]
        try assertFilledEqualsReference(database, only: views)
        try assertFilledEqualsReference(database, lookupLimitBytes: 0, only: views)
        try assertFilledEqualsReference(database, lookupLimitBytes: table.estimatedBytes, only: views)
        XCTAssertEqual(try database.integer("SELECT count(*) FROM transcript_enrichment_view"), 7)
        XCTAssertEqual(try database.scalar("SELECT group_concat(expression_fold_change) FROM transcript_enrichment_view"),
                       "1.0,2.5,1.0,0.25,7.0,1.0,3.0")

        /// How many times the fill asks for the larger page cache.
        func scanCacheAsks(lookupLimitBytes: Int = GeneTranscriptTable.defaultLimitBytes) throws -> Int {
            var asks = 0
            var filler = ViewTableFiller(database: database, lookupLimitBytes: lookupLimitBytes)
            filler.raiseScanCache = { asks += 1 }
            try database.execute("DELETE FROM transcript_enrichment_view; DELETE FROM patient_query_optimized_view")
            try filler.fill("patient_query_optimized_view")
            return asks
        }
        XCTAssertEqual(try scanCacheAsks(), 0)
        // Without the rows in memory the transcripts are sorted, not sought: no ask either.
        try database.execute("UPDATE transcripts SET expression_fold_change = 'high' WHERE transcript_id = 'ENST00000000002'")
        XCTAssertNil(try TranscriptRows.load(from: database, genes: summaries, limitBytes: 1 << 20))
        XCTAssertEqual(try scanCacheAsks(), 0)
        // The SQL form seeks each transcript's row.
        XCTAssertEqual(try scanCacheAsks(lookupLimitBytes: 0), 1)
        try assertFilledEqualsReference(database, only: views)
    }

    /// Without the transcripts' rows in memory, the transcript views read them sorted by id: many
    /// transcripts stored out of id order, two of NULL id (in rowid order, as the index has
    /// them), a fold change stored as text; the rows are the queries'.
    func testTranscriptViewsFromSortedTranscriptsMatchTheQueries() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("sorted.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute(SchemaFiles.sqliteIndexes)
        var generator = SplitMix64(state: 11)
        let transcripts = (0..<5000).map { "('ENST\($0)', 'ENSG\($0 % 97)', \(1 + $0 % 5))" }.shuffled(using: &generator)
        try database.execute("""
            WITH RECURSIVE n(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM n WHERE value < 96)
            INSERT INTO genes (gene_id, gene_symbol) SELECT 'ENSG' || value, 'S' || (value % 13) FROM n;
            INSERT INTO transcripts (transcript_id, gene_id, expression_fold_change) VALUES \(transcripts.joined(separator: ", "));
            INSERT INTO transcripts (transcript_id, gene_id, expression_fold_change) VALUES (NULL, 'ENSG5', 4), (NULL, 'ENSG3', 0.5);
            INSERT INTO transcript_go_terms (transcript_id, go_id) SELECT transcript_id, 'GO:1' FROM transcripts WHERE rowid % 7 = 0;
            INSERT INTO transcript_products (transcript_id, product_type) SELECT transcript_id, 'p' || (rowid % 3) FROM transcripts WHERE rowid % 5 = 0;
            UPDATE transcripts SET expression_fold_change = 'high' WHERE rowid = 3;
            """)
        let summaries = try XCTUnwrap(try GeneSummaries.load(from: database, symbols: GeneSymbolCache(), limitBytes: 1 << 20))
        XCTAssertNil(try TranscriptRows.load(from: database, genes: summaries, limitBytes: 1 << 20))
        try assertFilledEqualsReference(database, only: ["transcript_enrichment_view", "patient_query_optimized_view"])
        XCTAssertEqual(try database.integer("SELECT count(*) FROM patient_query_optimized_view"), 5002)
        XCTAssertEqual(try database.scalar("SELECT group_concat(gene_id) FROM patient_query_optimized_view WHERE transcript_id IS NULL"), "ENSG5,ENSG3")
    }

    /// GO ids or evidence codes stored as something else than text (never by the normalizer) are
    /// left to the view's definition, which groups them by storage class; the rows are its rows.
    func testGOTermsThatAreNotTextAreLeftToTheDefinition() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("go-blobs.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute("""
            INSERT INTO transcript_go_terms (transcript_id, go_id, evidence_code) VALUES
                ('ENST1', 'GO:1', 'IEA'), ('ENST1', X'474F3A31', 'IEA'), ('ENST2', 'GO:1', NULL);
            INSERT INTO gene_go_terms_work (gene_id, go_id, go_term, go_category) VALUES ('ENSG1', 'GO:1', 'one', 'process');
            """)
        XCTAssertNil(try GOCodeCounts.load(from: database, limitBytes: .max))
        try assertFilledEqualsReference(database, only: ["go_term_hierarchy_view"])
        XCTAssertEqual(try database.integer("SELECT count(*) FROM go_term_hierarchy_view"), 2)
        try database.execute("DELETE FROM transcript_go_terms WHERE typeof(go_id) = 'blob'; UPDATE transcript_go_terms SET evidence_code = X'00' WHERE evidence_code IS NULL")
        XCTAssertNil(try GOCodeCounts.load(from: database, limitBytes: .max))
        try database.execute("UPDATE transcript_go_terms SET evidence_code = 'IDA' WHERE typeof(evidence_code) = 'blob'")
        let counts = try XCTUnwrap(try GOCodeCounts.load(from: database, limitBytes: .max))
        XCTAssertNil(try GOCodeCounts.load(from: database, limitBytes: counts.estimatedBytes - 1), "over the budget")
        try assertFilledEqualsReference(database, only: ["go_term_hierarchy_view"])
        XCTAssertEqual(try database.rows("SELECT * FROM go_term_hierarchy_view"), [["GO:1", "one", "process", "1", "2", #"{"IDA":1,"IEA":1}"#]])
    }

    func testEmptyCoreGivesEmptyTables() throws {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("empty.sqlite").path)
        try database.execute(SchemaFiles.sqliteCore)
        try database.execute(SchemaFiles.sqliteIndexes)
        try database.execute("INSERT INTO drug_interactions (drug_interaction_id, drug_name, source_database) VALUES (5, 'alone', 'ChEMBL')")
        try assertFilledEqualsReference(database)
        XCTAssertEqual(try database.rows("SELECT * FROM drug_interaction_summary_view"), [["5", "alone", "ChEMBL", "0", "[]"]])
    }

    /// One genes' table for the fills of every connection of a run (``GeneSymbolCache``): the
    /// first to ask reads it (genes with a NULL id left out), the others get the same one, also
    /// when several threads ask first at once; one too large for the budget is not read again,
    /// so every fill seeks. Fills on another connection through a table read on the first give
    /// the queries' rows, also where a link names a gene `genes` lacks (never in a converted
    /// core, whose foreign keys are checked).
    func testGeneSymbolCacheIsReadOnceForAllConnections() throws {
        let path = try generatedCore(seed: 12, genes: 40, name: "symbol-cache")
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            INSERT INTO genes (gene_id, gene_symbol) VALUES (NULL, 'NULLID'), ('ENSG_NO_SYMBOL', NULL);
            INSERT INTO gene_publications (gene_id, pmid, reference_category) VALUES
                ('ENSG_NO_SYMBOL', '1', 'x'), ('ENSG_NOT_IN_GENES', '1', 'y'), ('ENSG_NOT_IN_GENES', '2', 'z');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type)
                SELECT 'ENSG_NOT_IN_GENES', min(drug_interaction_id), 'x' FROM drug_interactions;
            INSERT INTO drug_interactions (drug_interaction_id, drug_name, source_database) VALUES (999999, 'dangling only', 'ChEMBL');
            INSERT INTO gene_drug_interactions (gene_id, drug_interaction_id, interaction_type) VALUES ('ENSG_NOT_IN_GENES', 999999, 'x');
            """)
        let genes = try database.rows("SELECT gene_id, gene_symbol FROM genes WHERE gene_id IS NOT NULL")

        let cache = GeneSymbolCache()
        let first = try XCTUnwrap(try cache.table(from: database, limitBytes: 1 << 20))
        XCTAssertEqual(first.count, genes.count)
        for row in genes {
            let symbol = try XCTUnwrap(first.lookUp(Array(row[0]!.utf8).span), "\(row[0]!) is in the table")
            XCTAssertEqual(symbol.map { String(decoding: $0, as: UTF8.self) }, row[1], row[0]!)
        }
        XCTAssertTrue(first.lookUp(Array("ENSG_NOT_IN_GENES".utf8).span) == nil, "not in the table")

        /// The tables `cache` gives threads that each ask once on a connection of their own.
        func askedAtOnce(_ cache: GeneSymbolCache, limitBytes: Int) -> [GeneSymbolTable?] {
            let lock = NSLock()
            var tables: [GeneSymbolTable?] = []
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let table = try? cache.table(from: SQLiteDatabase(path: path), limitBytes: limitBytes)
                lock.withLock { tables.append(table) }
            }
            return tables
        }
        XCTAssertTrue(askedAtOnce(cache, limitBytes: 1 << 20).allSatisfy { $0 === first })
        let fresh = askedAtOnce(GeneSymbolCache(), limitBytes: 1 << 20)
        XCTAssertEqual(fresh.count, 4)
        XCTAssertTrue(fresh.allSatisfy { $0 != nil && $0 === fresh[0] && $0 !== first })

        let small = GeneSymbolCache()
        XCTAssertNil(try small.table(from: database, limitBytes: 100))
        XCTAssertNil(try small.table(from: database, limitBytes: 1 << 20))

        // Links to a gene `genes` lacks count nowhere (the views join `genes`): pmid 2 has no
        // row, drug 999999 no target.
        let other = try SQLiteDatabase(path: path)
        try assertFilledEqualsReference(other, symbolCache: cache)
        XCTAssertEqual(try other.rows("SELECT gene_count, gene_symbols FROM publication_summary_view WHERE pmid IN ('1', '2')"), [["1", "[null]"]])
        XCTAssertEqual(try other.rows("SELECT target_gene_count, target_gene_symbols FROM drug_interaction_summary_view WHERE drug_interaction_id = 999999"),
                       [["0", "[]"]])
        try assertFilledEqualsReference(other, symbolCache: small)
    }

    func testGeneratedCoreMatchesTheQueries() throws {
        let database = try SQLiteDatabase(path: try generatedCore(seed: 11, genes: 60, name: "view-filler"))
        XCTAssertGreaterThan(try database.integer("SELECT count(*) FROM cross_reference_lookup_view"), 20)
        try assertFilledEqualsReference(database)
        try assertFilledEqualsReference(database, lookupLimitBytes: 0)
        // Sorted within the least memory: the cross-reference view's sorts spill to runs on disk.
        try assertFilledEqualsReference(database, lookupLimitBytes: 0, only: ["cross_reference_lookup_view"], sortMemoryBytes: 0)
    }

    /// Fills that take their bytes from a pool give the same rows whatever it grants (all they
    /// ask, part of it, nothing), and give every byte back; the genes' symbols hold theirs until
    /// the cache is released.
    func testFillsFromAPoolMatchTheQueriesAndGiveTheirBytesBack() throws {
        let database = try SQLiteDatabase(path: try generatedCore(seed: 12, genes: 60, name: "pooled-filler"))
        let symbolBytes = try XCTUnwrap(GeneSymbolTable.read(from: database, limitBytes: .max)).estimatedBytes
        let whole = try XCTUnwrap(GeneTranscriptTable.load(from: database, limitBytes: .max)).estimatedBytes
        for capacity in [64 << 20, whole / 2, symbolBytes, 0] {
            let pool = MemoryPool(bytes: capacity)
            let symbols = GeneSymbolCache(pool: pool)
            try assertFilledEqualsReference(database, symbolCache: symbols, lookupPool: pool)
            let held = pool.capacity - pool.available
            XCTAssertTrue(held == 0 || held == symbolBytes, "pool of \(capacity): only the symbols still held, \(held)")
            if capacity >= 64 << 20 { XCTAssertEqual(held, symbolBytes, "the symbols fit a large pool") }
            symbols.release()
            XCTAssertEqual(pool.available, capacity, "pool of \(capacity): every byte back")
            // A cache of no pool takes nothing from the fills' grants.
            try assertFilledEqualsReference(database, symbolCache: GeneSymbolCache(), lookupPool: pool)
            XCTAssertEqual(pool.available, capacity, "pool of \(capacity), symbols outside it: every byte back")
        }
    }
}
