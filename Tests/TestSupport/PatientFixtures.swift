import Foundation
import XCTest
import MediabaseSQLite
import MediabasePatients
import MediabasePipeline

/// The small core of `fixtures/patients/core.sql` (16 genes, 20 transcripts, no support levels:
/// a gene's canonical transcript is its smallest id), converted once per test process, and
/// helpers to run patient batches on hand-written files.
package enum PatientFixtures {
    /// Holds the converted core; removed when the test process exits.
    private static let folder: String = {
        let folder = try! Fixtures.scratchFolder()
        atexit { try? FileManager.default.removeItem(atPath: PatientFixtures.folder) }
        return folder
    }()

    /// The converted core.
    package static let corePath: String = {
        var options = ConversionOptions(input: Fixtures.path("patients/core.sql"), output: (folder as NSString).appendingPathComponent("core.sqlite"))
        options.progress = .never
        _ = try! Conversion.run(options)
        return options.output
    }()

    package static let core: CoreTranscriptIndex = try! CoreTranscriptIndex.load(path: corePath)

    /// Writes `files` (name → text) into `folder` and returns their paths in the given order.
    package static func write(_ files: KeyValuePairs<String, String>, in folder: String) throws -> [String] {
        try files.map { name, text in
            let path = (folder as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// Runs a batch on `files` (name → text) written into `folder`, output into `folder/out`.
    package static func run(_ files: KeyValuePairs<String, String>, in folder: String,
                    configure: (inout PatientBatchOptions) -> Void = { _ in }) throws -> PatientBatchReport {
        var options = PatientBatchOptions(core: corePath, output: (folder as NSString).appendingPathComponent("out"))
        options.files = try write(files, in: folder)
        options.progress = .never
        configure(&options)
        return try PatientBatch.run(options)
    }

    /// The stored fold changes of a patient file: transcript id → value.
    package static func values(_ path: String) throws -> [String: Double] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        let statement = try database.prepare("SELECT transcript_id, expression_fold_change FROM expression_data")
        var values: [String: Double] = [:]
        while try statement.step() { values[statement.text(0)!] = statement.double(1) }
        return values
    }
}

/// Asserts that `actual` holds exactly the transcripts of `expected`, each value within a
/// relative error of 1e-9.
package func assertFoldChanges(_ actual: [String: Double], _ expected: [String: Double], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Set(actual.keys), Set(expected.keys), "stored transcripts", file: file, line: line)
    for (id, value) in expected {
        guard let got = actual[id] else { continue }
        XCTAssertLessThanOrEqual(abs(got - value) / abs(value), 1e-9, "\(id): \(got) vs expected \(value)", file: file, line: line)
    }
}
