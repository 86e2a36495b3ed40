import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabasePatients
import MediabaseTestSupport

/// The bundle part of one patient: its SQL and COPY text, escaping of hostile metadata, the
/// checks read back from the part, determinism. `patients --to bundle` as a whole is
/// PatientBatchBundleTests (the Pipeline tests).
final class PatientBundleWriterTests: ScratchFolderTestCase {
    private var part: String { path("part.sql.gz") }

    private func metadata(notes: String? = nil, total: Int = 3, stored: Int = 2) -> PatientMetadata {
        var counts = PatientCounts()
        counts.rows = total
        counts.total = total
        counts.matched = total
        counts.stored = stored
        var clinical = ClinicalMetadata()
        clinical.clinicalNotes = notes
        clinical.readDepthMillions = 52.5
        return PatientMetadata(patientId: "P1", uploadDate: "1970-01-01T00:00:00Z", sourceFile: "p1.csv", fileFormat: "fold_change_table",
                               normalizationMethod: "linear", counts: counts, clinical: clinical, json: #"{"counts":{"stored":\#(stored)}}"#)
    }

    /// Writes a part of `rows` and returns the writer (finished) and the decompressed text.
    private func write(_ rows: [(String, Double)], metadata: PatientMetadata) throws -> (PatientBundleWriter, String) {
        let writer = try PatientBundleWriter(path: part, patient: try PatientId("P1", origin: "test"), timestamp: "1970-01-01T00:00:00Z")
        for (id, value) in rows { try writer.insert(transcriptId: id, foldChange: value) }
        try writer.finish(metadata: metadata)
        return (writer, try gunzip(part))
    }

    func testThePartCreatesTheSchemaCopiesTheRowsThenIndexesAndHoldsOneMetadataRow() throws {
        let (writer, text) = try write([("ENST00000269305", 0.25), ("ENST00000371953", 8)], metadata: metadata())
        XCTAssertEqual(writer.partName, "patients/patient_p1.sql.gz")
        let schema = try XCTUnwrap(text.range(of: "CREATE SCHEMA \"patient_p1\";"))
        let copy = try XCTUnwrap(text.range(of: "COPY \"patient_p1\".expression_data (transcript_id, expression_fold_change, created_at, updated_at) FROM stdin;\n"))
        let index = try XCTUnwrap(text.range(of: "CREATE INDEX idx_expression_data_fold_change ON \"patient_p1\".expression_data"))
        let metadataCopy = try XCTUnwrap(text.range(of: "COPY \"patient_p1\".metadata (patient_id,"))
        XCTAssertTrue(schema.upperBound < copy.lowerBound && copy.upperBound < index.lowerBound && index.upperBound < metadataCopy.lowerBound)
        XCTAssertTrue(text.contains("\nENST00000269305\t0.25\t1970-01-01T00:00:00Z\t1970-01-01T00:00:00Z\nENST00000371953\t8.0\t1970-01-01T00:00:00Z\t1970-01-01T00:00:00Z\n\\.\n"), text)
        XCTAssertTrue(text.contains("\nP1\t1970-01-01T00:00:00Z\tp1.csv\tfold_change_table\tlinear\t3\t3\t0\t1.0\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t52.5\t{\"counts\":{\"stored\":2}}\n\\.\n"), text)
        XCTAssertFalse(text.contains("{{schema}}"))
        let checks = try writer.validate(core: .memory(PatientFixtures.core))
        XCTAssertEqual(checks.filter { !$0.passed }, [])
        XCTAssertEqual(Set(checks.map(\.name)).isSuperset(of: ["gzip_integrity", "copy_structure", "patient_schema_present", "no_baseline_rows", "positive_fold_changes",
                                                             "unique_transcripts", "no_orphan_transcripts", "one_metadata_row", "counts_add_up", "stored_rows"]), true)
        XCTAssertNotNil(writer.digest)
    }

    /// Notes that try to end the COPY block, start a psql command and break the row stay one
    /// field of one row.
    func testHostileMetadataCannotLeaveItsField() throws {
        let notes = "a\tb\n\\.\n\\! rm -rf /\r\nend\\"
        let (writer, text) = try write([("ENST00000269305", 2)], metadata: metadata(notes: notes, stored: 1))
        XCTAssertTrue(text.contains("\ta\\tb\\n\\\\.\\n\\\\! rm -rf /\\r\\nend\\\\\t"), text)
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasPrefix("\\!") })
        XCTAssertEqual(try writer.validate(core: .memory(PatientFixtures.core)).filter { !$0.passed }, [])
        // A NUL cannot be PostgreSQL text: the patient fails rather than the load.
        XCTAssertThrowsError(try write([], metadata: metadata(notes: "a\u{0}b", stored: 0)))
    }

    /// The checks are asked of the part: rows the batch never writes are found.
    func testTheChecksFindBaselineNonPositiveDuplicateAndOrphanRows() throws {
        let (writer, _) = try write([("ENST00000269305", 1.0), ("ENST00000269305", -2), ("ENST99999999999", 3)], metadata: metadata(total: 3, stored: 2))
        let failed = Set(try writer.validate(core: .memory(PatientFixtures.core)).filter { !$0.passed }.map(\.name))
        XCTAssertEqual(failed, ["no_baseline_rows", "positive_fold_changes", "unique_transcripts", "no_orphan_transcripts", "stored_rows"])
    }

    func testTheSameRowsGiveTheSameBytes() throws {
        let rows = (0..<5000).map { (String(format: "ENST%011d", $0), 1.5 + Double($0)) }
        let (first, _) = try write(rows, metadata: metadata(stored: rows.count))
        let (second, _) = try write(rows, metadata: metadata(stored: rows.count))
        XCTAssertEqual(first.digest?.sha256, second.digest?.sha256)
    }

    private func gunzip(_ path: String) throws -> String {
        let lines = LineReader(stream: try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path), name: path)
        var text = ""
        while let line = try lines.nextLine() { text += String(decoding: line, as: UTF8.self) + "\n" }
        return text
    }
}
