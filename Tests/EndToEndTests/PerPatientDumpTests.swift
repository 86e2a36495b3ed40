import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseSQLite
import MediabasePipeline

/// v0.5 per-patient databases dumped by the installed `pg_dump`: a transcript
/// held twice after version stripping (`ENST…7` and `ENST…`) with one value is no conflict; with
/// two values it is, and the error names both ids as the table holds them and both lines.
/// Expected values come from PostgreSQL itself.
final class PerPatientDumpTests: XCTestCase {
    private var cluster: PostgresCluster!

    override func setUpWithError() throws { cluster = try PostgresCluster.start() }
    override func tearDownWithError() throws { cluster?.stop() }

    func testRepeatedTranscriptsWithOneValueMigrate() throws {
        let database = "mediabase_patient_P7"
        try load(database, extraRows: """
            INSERT INTO public.cancer_transcript_base VALUES
                ('ENST00000282470.7', 'SPARCL1', 'ENSG00000152583', 'protein_coding', 'chr4', 1.0),
                ('ENST00000269571', 'ERBB2', 'ENSG00000141736', 'protein_coding', 'chr17', 8.5),
                ('ENST00000275493.2', 'EGFR', 'ENSG00000146648', 'protein_coding', 'chr7', 3.25);
            """)
        // What PostgreSQL holds: one value per unversioned transcript, 1.0 and NULL left out.
        let expected = try cluster.psql(sql: """
            SELECT DISTINCT regexp_replace(transcript_id, '\\.[0-9]+$', ''), expression_fold_change
            FROM public.cancer_transcript_base WHERE expression_fold_change IS NOT NULL AND expression_fold_change <> 1
            """, database: database)
        var values: [String: Double] = [:]
        for line in expected.split(separator: "\n") {
            let fields = line.split(separator: "|")
            XCTAssertNil(values[String(fields[0])], "the fixture gives \(fields[0]) one value")
            values[String(fields[0])] = Double(fields[1])
        }
        let sourceRows = try XCTUnwrap(Int(cluster.psql(sql: "SELECT count(*) FROM public.cancer_transcript_base WHERE expression_fold_change <> 1", database: database)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(sourceRows, values.count + 2, "two rows repeat an earlier row's transcript and value")

        for format in ["-Fc", "-Fp"] {
            let report = try patients(database, format: format)
            let patient = try XCTUnwrap(report.patients.first)
            XCTAssertEqual(patient.status, "ok", "\(format): \(patient.error ?? "")")
            XCTAssertEqual(patient.counts?.duplicateRows, 3, format)
            XCTAssertEqual(patient.counts?.sourceNonBaselineRows, values.count, format)
            XCTAssertTrue(patient.validation.contains { $0.name == "legacy_rows_migrated" && $0.passed }, "\(format): \(patient.validation)")
            let stored = try storedValues(XCTUnwrap(patient.output))
            XCTAssertEqual(Set(stored.keys), Set(values.keys), format)
            for (transcript, value) in values { XCTAssertEqual(stored[transcript], value, "\(format): \(transcript)") }
        }
    }

    func testRepeatedTranscriptsWithTwoValuesNameBothIds() throws {
        let database = "mediabase_patient_P8"
        try load(database, extraRows: """
            INSERT INTO public.cancer_transcript_base VALUES ('ENST00000269571', 'ERBB2', 'ENSG00000141736', 'protein_coding', 'chr17', 9);
            """)
        let report = try patients(database, format: "-Fp")
        let error = try XCTUnwrap(report.patients.first?.error)
        XCTAssertTrue(error.contains("gives \"ENST00000269571\" the fold change 9.0 and line"), error)
        XCTAssertTrue(error.contains("gave \"ENST00000269571.7\" (ENST00000269571 in the core) 8.5"), error)
        XCTAssertTrue(error.contains("--on-duplicate"), error)
    }

    // MARK: - Helpers

    /// Creates `database` from `fixtures/patients/legacy_patient_P7.sql`, then runs `extraRows`.
    private func load(_ database: String, extraRows: String) throws {
        try cluster.createDatabase(database)
        try cluster.psql(sql: String(contentsOfFile: Self.fixture("legacy_patient_P7.sql"), encoding: .utf8), database: database)
        try cluster.psql(sql: extraRows, database: database)
    }

    /// Dumps `database` in `format` and runs it as one patient against the fixture core.
    private func patients(_ database: String, format: String) throws -> PatientBatchReport {
        let work = cluster.workDirectory
        var conversion = ConversionOptions(input: Self.fixture("core.sql"), output: work + "/core.sqlite")
        conversion.progress = .never
        conversion.force = true
        conversion.reportPath = work + "/core.report.json"
        _ = try Conversion.run(conversion)
        let dump = work + "/\(database)\(format).dump"
        try cluster.pgDump(database: database, arguments: [format], output: dump)
        var options = PatientBatchOptions(core: conversion.output, output: work + "/patients\(format)")
        options.files = [dump]
        options.patientId = "P"
        options.progress = .never
        options.force = true
        return try PatientBatch.run(options)
    }

    private func storedValues(_ path: String) throws -> [String: Double] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        let statement = try database.prepare("SELECT transcript_id, expression_fold_change FROM expression_data")
        var values: [String: Double] = [:]
        while try statement.step() { values[statement.text(0) ?? ""] = statement.double(1) }
        withExtendedLifetime(database) {}
        return values
    }

    private static func fixture(_ name: String) -> String { Repository.path("fixtures/patients/\(name)") }
}
