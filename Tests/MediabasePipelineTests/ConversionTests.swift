import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseLegacy
@testable import MediabasePipeline
import MediabaseTestSupport

final class ConversionTests: ScratchFolderTestCase {
    private func convert(_ fixture: String, to name: String = "core.sqlite", configure: (inout ConversionOptions) -> Void = { _ in }) throws -> (ConversionReport, SQLiteDatabase) {
        var options = ConversionOptions(input: Fixtures.path(fixture), output: path(name))
        options.progress = .never
        configure(&options)
        let report = try Conversion.run(options)
        return (report, try SQLiteDatabase(path: options.output, readOnly: true))
    }

    func testCorruptionCasesAreSplitAndNothingIsLost() throws {
        let (report, db) = try convert("legacy/corruption_cases.sql")
        XCTAssertTrue(report.validation.allSatisfy(\.passed), "\(report.validation)")
        XCTAssertEqual(report.genes, 4)
        XCTAssertEqual(report.transcripts, 5)
        XCTAssertEqual(report.rejectsByReason, ["field_drugs": 1, "missing_gene_id": 1])

        // Versioned id stripped, fold change kept, gene span = min start .. max end.
        XCTAssertEqual(try db.rows("SELECT transcript_id, expression_fold_change FROM transcripts WHERE gene_id = 'ENSG00000141510' ORDER BY 1"),
                       [["ENST00000269305", "2.5"], ["ENST00000413465", "1.0"]])
        XCTAssertEqual(try db.rows("SELECT gene_symbol, chromosome, start_position, end_position, strand FROM genes WHERE gene_id = 'ENSG00000141510'"),
                       [["TP53", "chr17", "7661000", "7700000", "-1"]])
        // The corrupted drugs field: real drugs by key shape, PharmGKB pathway and its drugs split off.
        XCTAssertEqual(try db.rows("SELECT drug_name, source_database, source_drug_id FROM drug_interactions ORDER BY drug_interaction_id"), [
            ["Nutlin", "DrugCentral", "4321"], ["Idasanutlin", "ChEMBL", "CHEMBL123"], ["cisplatin", "PharmGKB", nil],
            ["Carboplatin", "PharmGKB", nil], ["aspirin", "unknown", nil], ["x", "ChEMBL", "CHEMBL9"],
        ])
        XCTAssertEqual(try db.rows("SELECT pathway_id, pathway_name, source_database, pathway_type FROM pathways WHERE source_database = 'PharmGKB'"),
                       [["PA145011113", "Platinum Pathway", "PharmGKB", "PK"]])
        XCTAssertEqual(try db.scalar("SELECT pmids FROM gene_drug_interactions WHERE drug_interaction_id = 3"), "[\"111\",\"222\",\"333\"]")
        XCTAssertEqual(try db.scalar("SELECT drug_score FROM gene_drug_interactions WHERE drug_interaction_id = 1"), "0.8")
        XCTAssertEqual(try db.rows("SELECT field, value_json FROM gene_extras WHERE gene_id = 'ENSG00000141510' ORDER BY field"), [
            ["cancer_types", "[\"breast\",\"lung\"]"], ["drug_scores", "{\"999\":0.1}"],
            ["pharmgkb_data.source", "\"PharmGKB\""], ["pharmgkb_data.vip_info", "{\"vip\":true}"],
        ])
        // Gene-level values repeated in the second TP53 row are not emitted twice.
        XCTAssertEqual(try db.integer("SELECT count(*) FROM gene_pathways WHERE gene_id = 'ENSG00000141510'"), 3)
        XCTAssertEqual(try db.integer("SELECT count(*) FROM transcript_go_terms"), 2)
        // Carried-through table with mapped types.
        XCTAssertEqual(try db.rows("SELECT is_approved, urls, created_at FROM opentargets_known_drugs"),
                       [["1", "[\"http://a\",\"http://b\"]", "2024-01-02T03:04:05+00:00"]])
        XCTAssertEqual(try db.scalar("SELECT annotation_completeness FROM patient_query_optimized_view WHERE transcript_id = 'ENST00000269305'"), "1.0")

        let rejects = try String(contentsOfFile: report.rejectsFile!, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rejects.count, 2)
        XCTAssertTrue(rejects[0].contains("\"line\":25"), String(rejects[0]))
    }

    /// The writer's thread hashes the input while it waits for rows; the digest must still be
    /// the file's.
    func testTheReportGivesTheInputsSHA256() throws {
        for fixture in ["generated/seed1-genes12/mbase.sql", "legacy/corruption_cases.sql"] {
            let (report, _) = try convert(fixture, to: "digest-\((fixture as NSString).lastPathComponent).sqlite")
            let expected = FileDigest.sha256(bytes: try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(fixture))))
            XCTAssertEqual(report.inputs.map(\.sha256), [expected], fixture)
        }
    }

    func testOutputIsDeterministicAndAtomic() throws {
        // Two threads build the view tables in scratch files and copy them in; one builds them in place.
        let (_, first) = try convert("legacy/corruption_cases.sql", to: "a.sqlite") { $0.threads = 2 }
        let (_, second) = try convert("legacy/corruption_cases.sql", to: "b.sqlite") { $0.threads = 1 }
        XCTAssertEqual(try dump(first), try dump(second))
        XCTAssertThrowsError(try convert("legacy/corruption_cases.sql", to: "a.sqlite"), "an existing output needs --force")
        XCTAssertNoThrow(try convert("legacy/corruption_cases.sql", to: "a.sqlite") { $0.force = true })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
    }

    func testMaxRejectsZeroMakesAnyRejectFatalAndLeavesNoOutput() throws {
        XCTAssertThrowsError(try convert("legacy/corruption_cases.sql") { $0.maxRejects = 0 }) { error in
            XCTAssertTrue("\(error.localizedDescription)".contains("--max-rejects 0"), error.localizedDescription)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    /// A dump whose client encoding is not UTF-8 (a LATIN1 database's, by default) is refused
    /// before its first table, naming the encoding and the way out, and leaves nothing; one in
    /// UTF8 or SQL_ASCII converts.
    func testADumpInAnotherEncodingIsRefused() throws {
        let original = try String(contentsOfFile: Fixtures.path("legacy/corruption_cases.sql"), encoding: .utf8)
        let declaration = "SET client_encoding = 'UTF8';"
        XCTAssertTrue(original.contains(declaration))
        for (encoding, refused) in [("LATIN1", true), ("WIN1252", true), ("SQL_ASCII", false), ("UTF8", false)] {
            let input = path("dump-\(encoding).sql")
            try original.replacingOccurrences(of: declaration, with: "SET client_encoding = '\(encoding)';").write(toFile: input, atomically: true, encoding: .utf8)
            var options = ConversionOptions(input: input, output: path("core-\(encoding).sqlite"))
            options.progress = .never
            if refused {
                XCTAssertThrowsError(try Conversion.run(options), encoding) { error in
                    let message = error.localizedDescription
                    XCTAssertTrue(message.contains(input) && message.contains(encoding) && message.contains("--encoding=UTF8"), message)
                }
                XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.hasPrefix("core-\(encoding)") }, "nothing left")
            } else {
                XCTAssertNoThrow(try Conversion.run(options), encoding)
            }
        }
    }

    /// A carried table whose dump declares no types (no CREATE TABLE: `pg_dump --data-only`) is
    /// carried as text and named in the report and in a warning; with its CREATE TABLE it is not.
    /// A dump without legacy rows gives an empty core and a warning.
    func testUntypedCarriedTablesAndAMissingLegacyTableAreNamed() throws {
        let original = try String(contentsOfFile: Fixtures.path("legacy/corruption_cases.sql"), encoding: .utf8)
        let create = "CREATE TABLE public.opentargets_known_drugs (id integer NOT NULL, molecule_chembl_id text, is_approved boolean, urls text[], created_at timestamp with time zone);\n"
        XCTAssertTrue(original.contains(create))
        let variants = [
            ("typed", original, nil as [String]?, false),
            ("data-only", original.replacingOccurrences(of: create, with: ""), ["public.opentargets_known_drugs"], false),
            ("no-legacy-rows", String(original[original.range(of: create)!.lowerBound...]), nil, true),
        ]
        for (name, text, untyped, empty) in variants {
            let input = path("\(name).sql")
            try text.write(toFile: input, atomically: true, encoding: .utf8)
            var options = ConversionOptions(input: input, output: path("\(name).sqlite"))
            options.progress = .never
            var logged = ""
            let report = try Conversion.run(options) { logged += $0 }
            XCTAssertEqual(report.untypedCarriedTables, untyped, name)
            XCTAssertEqual(logged.contains("declares no column types for public.opentargets_known_drugs"), untyped != nil, "\(name): \(logged)")
            XCTAssertEqual(report.genes == 0, empty, name)
            XCTAssertEqual(logged.contains("warning: no rows of cancer_transcript_base"), empty, "\(name): \(logged)")
        }
    }

    /// A symbolic link to the dump reports the dump's size, not the link's.
    func testASymbolicLinkReportsItsTargetsSize() throws {
        let target = Fixtures.path("legacy/corruption_cases.sql")
        let link = path("link.sql")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        var options = ConversionOptions(input: link, output: path("linked.sqlite"))
        options.progress = .never
        let report = try Conversion.run(options)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber).int64Value
        XCTAssertEqual(report.inputs.first?.bytes, size)
    }

    func testDryRunWritesOnlyTheReport() throws {
        var options = ConversionOptions(input: Fixtures.path("legacy/corruption_cases.sql"), output: path("core.sqlite"))
        options.dryRun = true
        options.progress = .never
        let report = try Conversion.run(options)
        XCTAssertEqual(report.genes, 4)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["report.json"])
    }

    /// Every table's rows in rowid order, as `sqlite3 .dump` lists them.
    private func dump(_ db: SQLiteDatabase) throws -> [String] {
        var lines: [String] = []
        for row in try db.rows("SELECT name, sql FROM sqlite_master ORDER BY name") {
            lines.append(row[1] ?? "")
            guard let name = row[0], (try db.scalar("SELECT type FROM sqlite_master WHERE name = ?", [name])) == "table" else { continue }
            lines += try db.rows("SELECT * FROM \"\(name)\"").map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines
    }
}

final class GeneSubsetTests: ScratchFolderTestCase {
    private func convert(_ selection: GeneSelection, name: String) throws -> SQLiteDatabase {
        var options = ConversionOptions(input: Fixtures.path("legacy/corruption_cases.sql"), output: path(name))
        options.progress = .never
        options.genes = selection
        let report = try Conversion.run(options)
        XCTAssertTrue(report.validation.allSatisfy(\.passed))
        return try SQLiteDatabase(path: options.output, readOnly: true)
    }

    func testNamedGenesKeepAllTheirTranscriptsAndLinks() throws {
        let db = try convert(.named(["tp53"]), name: "tp53.sqlite")
        XCTAssertEqual(try db.rows("SELECT gene_id FROM genes"), [["ENSG00000141510"]])
        XCTAssertEqual(try db.integer("SELECT count(*) FROM transcripts"), 2)
        XCTAssertEqual(try db.integer("SELECT count(*) FROM gene_drug_interactions"), 4)
        XCTAssertEqual(try db.integer("SELECT count(*) FROM drug_interactions"), 4, "only drugs linked to the kept gene")
        XCTAssertEqual(try db.rows("PRAGMA foreign_key_check"), [])
    }

    func testSampleIsDeterministicAndSeedDependent() throws {
        let first = try convert(.sample(count: 2, seed: 7), name: "a.sqlite")
        let again = try convert(.sample(count: 2, seed: 7), name: "b.sqlite")
        let genes = try first.rows("SELECT gene_id FROM genes")
        XCTAssertEqual(genes.count, 2)
        XCTAssertEqual(genes, try again.rows("SELECT gene_id FROM genes"))
        let seeds = try (0..<8).map { seed in try convert(.sample(count: 2, seed: UInt64(seed)), name: "s\(seed).sqlite").rows("SELECT gene_id FROM genes") }
        XCTAssertGreaterThan(Set(seeds.map { $0.description }).count, 1, "different seeds choose different genes")
    }
}

final class NulEscapeTests: XCTestCase {
    private func offset(_ text: String) -> Int? {
        LegacyNormalizer.nulEscapeOffset(text.utf8.span)
    }

    func testAJSONNulIsAFieldRejectAndTheBundleStillConverts() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dump = (folder as NSString).appendingPathComponent("nul.sql")
        try """
            COPY public.cancer_transcript_base (transcript_id, gene_id, gene_symbol, drugs) FROM stdin;
            ENST00000000001\tENSG00000000001\tA\t{"1": {"name": "x\\\\u0000y"}}
            \\.

            """.write(toFile: dump, atomically: true, encoding: .utf8)
        for target in OutputTarget.allCases {
            var options = ConversionOptions(input: dump, output: (folder as NSString).appendingPathComponent("out-\(target.rawValue)"))
            options.target = target
            options.progress = .never
            let report = try Conversion.run(options)
            XCTAssertEqual(report.rejectsByReason, ["field_drugs": 1], "\(target)")
            XCTAssertEqual(report.genes, 1)
        }
    }

    func testFindsOnlyRealNulEscapes() {
        XCTAssertEqual(offset(#"{"a": "x\u0000y"}"#), 8)
        XCTAssertEqual(offset(#"{"a": "\U0000"}"#), 7)
        XCTAssertNil(offset(#"{"a": "x\\u0000y"}"#), "an escaped backslash before u0000 is text")
        XCTAssertEqual(offset(#"{"a": "\\\u0000"}"#), 9)
        XCTAssertNil(offset(#"{"a": "\u0001"}"#))
        XCTAssertNil(offset(#"\u000"#))
    }
}
