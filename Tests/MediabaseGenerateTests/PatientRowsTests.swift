import Foundation
import XCTest
@testable import MediabaseGenerate
@testable import MediabasePipeline
import MediabaseTestSupport

/// `generate --patient-rows N --patient-dialects LIST`: every fold-change table holds exactly N
/// data rows whatever the core's size or `--threads`, patients rotate through the dialects
/// named, per-patient dumps stay whole, and `patients` reads every file as `expected.json` says.
final class PatientRowsTests: XCTestCase {
    private static let foldChangeDialects = PatientDialect.allCases.filter { $0 != .legacyDump }

    /// Data rows of a delimited patient file: its line feeds but the header's (CRLF files end
    /// each line with one too).
    private func dataRows(_ file: URL) throws -> Int {
        try Data(contentsOf: file).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
    }

    func testEveryFoldChangeFileHasExactlyTheRequestedRows() throws {
        // 300 rows of 150 genes: the transcript-level dialects choose among about 750
        // transcripts, the gene-level ones are topped up with ids the core lacks.
        for rows in [0, 1, 300, 2_000] {
            let options = GenerateOptions(seed: 4, genes: 150, patients: 8, threads: 2, clean: true, patientRows: rows)
            let (folder, facts) = try GeneratedData.generate(options, name: "patient-rows-\(rows)")
            defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
            XCTAssertEqual(facts.patientRows, rows)
            XCTAssertNil(facts.patientDialects, "all eight dialects are the default and not recorded")
            for patient in facts.patients where patient.dialect != PatientDialect.legacyDump.rawValue {
                XCTAssertEqual(try dataRows(folder.appendingPathComponent(patient.file)), rows, "\(patient.file)")
                XCTAssertEqual(patient.rows, rows, "\(patient.file) in expected.json")
                XCTAssertEqual(patient.skipped + patient.matched + patient.unmatched, rows)
            }
        }
    }

    func testIdsOfAFileAreDistinctEvenWhenToppedUp() throws {
        let options = GenerateOptions(seed: 2, genes: 40, patients: 7, threads: 2, patientRows: 1_000,
                                      patientDialects: Self.foldChangeDialects)
        let (folder, facts) = try GeneratedData.generate(options, name: "patient-rows-distinct")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        for patient in facts.patients {
            let file = folder.appendingPathComponent(patient.file)
            let sink = try RawRowSink.readDelimited(file, delimiter: patient.dialect == PatientDialect.tsv.rawValue ? 0x09 : 0x2C)
            let ids = sink.tables["patient"]!.rows.map { GeneratedData.normalizedId(String(decoding: $0[0] ?? Data(), as: UTF8.self)) }
            XCTAssertEqual(ids.count, 1_000, patient.file)
            XCTAssertEqual(Set(ids).count, ids.count, "\(patient.file) repeats an id")
            XCTAssertGreaterThan(patient.unmatched, 0, "\(patient.file): 40 genes cannot fill 1,000 rows")
        }
    }

    func testSameBytesForAnyThreadCount() throws {
        let options = GenerateOptions(seed: 11, genes: 230, patients: 9, threads: 1, clean: true, patientRows: 450)
        let (first, _) = try GeneratedData.generate(options, name: "patient-rows-threads-1")
        var threeThreads = options
        threeThreads.threads = 3
        let (second, _) = try GeneratedData.generate(threeThreads, name: "patient-rows-threads-3")
        defer { [first, second].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        let reference = try GeneratedData.contents(of: first)
        let other = try GeneratedData.contents(of: second)
        XCTAssertEqual(Set(reference.keys), Set(other.keys))
        for (name, bytes) in reference { XCTAssert(other[name] == bytes, "\(name) differs between thread counts") }
    }

    /// The options touch nothing but the fold-change tables and the manifest's rotation: the
    /// core and the per-patient dumps are the default run's bytes.
    func testCoreAndPerPatientDumpsAreUnchanged() throws {
        let plain = GenerateOptions(seed: 6, genes: 120, patients: 8, threads: 2)
        var withRows = plain
        withRows.patientRows = 90
        let (defaultFolder, defaultFacts) = try GeneratedData.generate(plain, name: "patient-rows-default")
        let (rowsFolder, rowsFacts) = try GeneratedData.generate(withRows, name: "patient-rows-90")
        defer { [defaultFolder, rowsFolder].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        let dump = try XCTUnwrap(defaultFacts.patients.first { $0.dialect == PatientDialect.legacyDump.rawValue })
        for name in ["mbase.sql", dump.file, "patients/patients.csv"] {
            XCTAssertEqual(try Data(contentsOf: defaultFolder.appendingPathComponent(name)),
                           try Data(contentsOf: rowsFolder.appendingPathComponent(name)), name)
        }
        XCTAssertEqual(defaultFacts.normalized, rowsFacts.normalized)
        let json = try String(decoding: Data(contentsOf: defaultFolder.appendingPathComponent(DatasetGenerator.factsFileName)), as: UTF8.self)
        XCTAssertFalse(json.contains("patientRows"), "the default expected.json is what it was before the option")
        XCTAssertFalse(json.contains("patientDialects"))
    }

    func testPatientsRotateThroughTheDialectsNamed() throws {
        let options = GenerateOptions(seed: 3, genes: 30, patients: 5, threads: 2, patientRows: 20, patientDialects: [.limma, .excelCSV])
        let (folder, facts) = try GeneratedData.generate(options, name: "patient-dialects")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        XCTAssertEqual(facts.patients.map(\.dialect), ["limma", "excel-csv", "limma", "excel-csv", "limma"])
        XCTAssertEqual(facts.patientDialects, ["limma", "excel-csv"])
    }

    /// `mediabase patients` reads every generated file, matches and stores what the generator
    /// says, and keeps exactly N rows per file.
    func testFilesNormalizeAsExpected() throws {
        let options = GenerateOptions(seed: 8, genes: 260, patients: 7, threads: 2, clean: true, patientRows: 400,
                                      patientDialects: Self.foldChangeDialects)
        let (folder, facts) = try GeneratedData.generate(options, name: "patient-rows-normalize")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let core = folder.appendingPathComponent("core.sqlite").path
        try GeneratedData.convertDump(in: folder, to: core)

        var batch = PatientBatchOptions(core: core, output: folder.appendingPathComponent("normalized").path)
        batch.files = facts.patients.map { folder.appendingPathComponent($0.file).path }
        batch.progress = .never
        batch.threads = 2
        let report = try PatientBatch.run(batch)
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(report.patients.count, 7)
        XCTAssertEqual(report.rowsRead, 7 * 400)
        for (patient, expected) in zip(report.patients, facts.patients) {
            XCTAssertEqual(patient.patientId, expected.patientId)
            let counts = try XCTUnwrap(patient.counts, patient.patientId)
            XCTAssertEqual(counts.rows, 400, patient.patientId)
            XCTAssertEqual(counts.skipped, expected.skipped, patient.patientId)
            XCTAssertEqual(counts.matched, expected.matched, patient.patientId)
            XCTAssertEqual(counts.unmatched, expected.unmatched, patient.patientId)
            XCTAssertEqual(counts.stored, expected.stored, patient.patientId)
        }
    }
}
