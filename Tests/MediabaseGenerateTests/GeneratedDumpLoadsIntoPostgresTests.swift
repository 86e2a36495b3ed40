import MediabaseTestSupport
import XCTest
@testable import MediabaseGenerate

/// The generated dumps are valid PostgreSQL: they load with `psql -v ON_ERROR_STOP=1` into a
/// real PostgreSQL (a private `PostgresCluster`, 15 in CI), hold the rows `expected.json`
/// counts, and survive a dump round trip byte for byte (which proves jsonb values are in
/// jsonb's output form and arrays in `array_out`'s).
///
/// Rows are compared as sorted lines: a bulk load may fill free space in earlier pages, so
/// `COPY TO` need not return rows in load order.
final class GeneratedDumpLoadsIntoPostgresTests: XCTestCase {
    private let formats: [LegacyDumpFormat] = [.plain, .inserts, .csv]

    /// The data lines of the legacy table's COPY block, sorted.
    private func copyBlock(_ dump: URL) throws -> [Data] {
        let bytes = try Data(contentsOf: dump)
        let start = try XCTUnwrap(bytes.range(of: Data("COPY public.cancer_transcript_base (".utf8)))
        let dataStart = try XCTUnwrap(bytes[start.upperBound...].firstIndex(of: 0x0A)) + 1
        let end = try XCTUnwrap(bytes.range(of: Data("\n\\.\n".utf8), in: dataStart..<bytes.endIndex))
        return sortedLines(bytes[dataStart...end.lowerBound])
    }

    private func sortedLines(_ data: Data) -> [Data] {
        data.split(separator: 0x0A).map { Data($0) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `COPY cancer_transcript_base TO STDOUT` of `database`, as sorted lines.
    private func copyOut(_ cluster: PostgresCluster, _ database: String) throws -> [Data] {
        sortedLines(try cluster.copyOut(query: "SELECT * FROM cancer_transcript_base", database: database))
    }

    private func assertCounts(_ cluster: PostgresCluster, _ database: String, _ facts: DatasetFacts,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try cluster.value(database: database, "SELECT count(*) FROM cancer_transcript_base"), "\(facts.legacy.rows)",
                       file: file, line: line)
        XCTAssertEqual(try cluster.value(database: database, "SELECT count(DISTINCT gene_id) FROM cancer_transcript_base"),
                       "\(facts.legacy.distinctRawGeneIds)", file: file, line: line)
        XCTAssertEqual(try cluster.value(database: database, "SELECT count(*) FROM cancer_transcript_base WHERE drugs ? 'pharmgkb_data'"),
                       "\(facts.legacy.rowsWithPharmgkbInDrugs)", file: file, line: line)
        XCTAssertEqual(try cluster.value(database: database, "SELECT count(*) || '/' || count(*) FILTER (WHERE is_approved = true) FROM opentargets_known_drugs"),
                       "\(facts.openTargets.rows)/\(facts.openTargets.approved)", file: file, line: line)
    }

    /// Loads the CSV form into a copy of the legacy table and checks it holds the same rows.
    private func assertCSVMatches(_ cluster: PostgresCluster, _ database: String, _ csv: URL,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        try cluster.psql(sql: "CREATE TABLE from_csv (LIKE cancer_transcript_base)", database: database)
        try cluster.psql(sql: "\\copy from_csv FROM '\(csv.path)' WITH (FORMAT csv, HEADER)", database: database)
        for query in ["SELECT * FROM cancer_transcript_base EXCEPT ALL SELECT * FROM from_csv",
                      "SELECT * FROM from_csv EXCEPT ALL SELECT * FROM cancer_transcript_base"] {
            XCTAssertEqual(try cluster.value(database: database, "SELECT count(*) FROM (\(query)) difference"), "0", file: file, line: line)
        }
    }

    func testCleanDumpsLoadIntoUTF8AndRoundTripByteForByte() throws {
        let cluster = try PostgresCluster.start()
        defer { cluster.stop() }
        let (folder, facts) = try GeneratedData.generate(
            GenerateOptions(seed: 11, genes: 300, patients: 8, formats: formats, threads: 2, clean: true), name: "pg-clean")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let plain = folder.appendingPathComponent("mbase.sql")
        let expectedBlock = try copyBlock(plain)

        try cluster.createDatabase("clean_plain")
        try cluster.psql(file: plain.path, database: "clean_plain")
        try assertCounts(cluster, "clean_plain", facts)
        XCTAssert(try copyOut(cluster, "clean_plain") == expectedBlock,
                  "COPY TO after loading the plain dump gives back its COPY block")
        try assertCSVMatches(cluster, "clean_plain", folder.appendingPathComponent("cancer_transcript_base.csv"))

        try cluster.createDatabase("clean_inserts")
        try cluster.psql(file: folder.appendingPathComponent("mbase.inserts.sql").path, database: "clean_inserts")
        try assertCounts(cluster, "clean_inserts", facts)
        XCTAssert(try copyOut(cluster, "clean_inserts") == expectedBlock,
                  "the INSERT form loads the same values")

        let patient = try XCTUnwrap(facts.patients.first { $0.dialect == PatientDialect.legacyDump.rawValue })
        try cluster.createDatabase("patient_dump")
        try cluster.psql(file: folder.appendingPathComponent(patient.file).path, database: "patient_dump")
        XCTAssertEqual(try cluster.value(database: "patient_dump", "SELECT count(*) FROM cancer_transcript_base"), "\(patient.rows)")
        XCTAssertEqual(try cluster.value(database: "patient_dump", "SELECT count(*) FROM cancer_transcript_base WHERE expression_fold_change <> 1.0"),
                       "\(patient.stored)")
    }

    func testPlantedDumpIsRefusedByUTF8AndLoadsIntoSQLASCII() throws {
        let cluster = try PostgresCluster.start()
        defer { cluster.stop() }
        let (folder, facts) = try GeneratedData.generate(GenerateOptions(seed: 11, genes: 300, formats: formats, threads: 2),
                                                         name: "pg-planted")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let plain = folder.appendingPathComponent("mbase.sql")
        let rejected = try XCTUnwrap(facts.planted.rowRejects.first)

        // The planted octal escape decodes to a byte that is not UTF-8: a UTF-8 server refuses it,
        // which is why such rows only exist in dumps of SQL_ASCII databases.
        try cluster.createDatabase("planted_utf8")
        XCTAssertThrowsError(try cluster.psql(file: plain.path, database: "planted_utf8")) { error in
            XCTAssertTrue("\(error)".contains("invalid byte sequence for encoding \"UTF8\""), "\(error)")
        }

        try cluster.createDatabase("planted_plain", encoding: "SQL_ASCII")
        try cluster.psql(file: plain.path, database: "planted_plain")
        try assertCounts(cluster, "planted_plain", facts)
        XCTAssertEqual(try cluster.value(database: "planted_plain", "SELECT count(*) FROM cancer_transcript_base WHERE jsonb_typeof(drugs) = 'number'"),
                       "\(facts.planted.fieldRejects.count)")
        XCTAssertEqual(try cluster.value(database: "planted_plain", """
            SELECT encode(product_type::text::bytea, 'escape') FROM cancer_transcript_base
            WHERE transcript_id = '\(rejected.rawTranscriptIds[0])'
            """), "{prot\\351ine}")
        let duplicate = try XCTUnwrap(facts.planted.duplicateTranscripts.first)
        XCTAssertEqual(try cluster.value(database: "planted_plain",
                                         "SELECT count(*) FROM cancer_transcript_base WHERE transcript_id LIKE '%\(duplicate.transcriptId)%'"), "2")
        try assertCSVMatches(cluster, "planted_plain", folder.appendingPathComponent("cancer_transcript_base.csv"))

        try cluster.createDatabase("planted_inserts", encoding: "SQL_ASCII")
        try cluster.psql(file: folder.appendingPathComponent("mbase.inserts.sql").path, database: "planted_inserts")
        try assertCounts(cluster, "planted_inserts", facts)
        XCTAssert(try copyOut(cluster, "planted_inserts") == copyOut(cluster, "planted_plain"),
                  "the INSERT form loads the same values as the COPY form")
    }
}

private extension PostgresCluster {
    /// One value of a one-row query, as text.
    func value(database: String, _ query: String) throws -> String {
        try psql(sql: query, database: database).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
