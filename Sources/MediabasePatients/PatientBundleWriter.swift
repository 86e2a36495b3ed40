import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseOutput

/// Writes one patient as the bundle part `patients/patient_<id>.sql.gz`: the schema of
/// `schemas/postgres/patient.pg.sql`, a `COPY` block of `expression_data` rows in transcript-id
/// order, the fold-change index, then a `COPY` block with the one `metadata` row.
///
/// ```
/// SET ...;                                  -- BundleWriter.partHeader, as every part
/// CREATE SCHEMA "patient_p1"; CREATE TABLE "patient_p1".expression_data (...); ...
/// COPY "patient_p1".expression_data (transcript_id, ...) FROM stdin;
/// ENST00000269305	0.25	1970-01-01T00:00:00Z	1970-01-01T00:00:00Z
/// \.
/// CREATE INDEX idx_expression_data_fold_change ON "patient_p1".expression_data (...);
/// COPY "patient_p1".metadata (patient_id, ...) FROM stdin;
/// ...
/// \.
/// ```
///
/// The only name put into SQL is the schema of a checked ``PatientId``; every value goes through
/// ``CopyText/encodeField(_:into:)`` (text checked to be UTF-8 without NUL, `metadata_json` to
/// be loadable as jsonb), so no value can end a COPY block or reach psql as a command. The gzip
/// is deterministic (``GzipWriter``): the same patient and flags give the same bytes.
package final class PatientBundleWriter: PatientWriter {
    /// The columns of the two COPY blocks, in `patient.pg.sql`'s order.
    static let expressionColumns = ["transcript_id", "expression_fold_change", "created_at", "updated_at"]
    static let metadataColumns = [
        "patient_id", "upload_date", "source_file", "file_format", "normalization_method", "total_transcripts_uploaded",
        "transcripts_matched", "transcripts_unmatched", "matching_success_rate", "clinical_notes", "cancer_type", "cancer_subtype",
        "tissue_type", "sample_type", "sequencing_platform", "read_depth_millions", "metadata_json",
    ]

    /// The part's name inside the bundle, `patients/patient_<id>.sql.gz`.
    let partName: String
    private let path: String
    private let schema: String
    private let gzip: GzipWriter
    /// The tail every row shares: TAB, timestamp, TAB, timestamp, newline, COPY-encoded once.
    private let rowTail: [UInt8]
    private let indexStatements: [String]
    private var line: [UInt8] = []
    private(set) var expressionRows = 0
    /// SHA-256 and size of the finished part.
    package private(set) var digest: (sha256: String, bytes: Int64)?

    /// The part's name for `id`.
    package static func partName(_ id: PatientId) -> String { "patients/\(id.schemaName).sql.gz" }

    /// Creates the part at `path` (a temporary name; the caller renames it) and writes the
    /// schema and the start of the `expression_data` block.
    /// - Parameter timestamp: `created_at` and `updated_at` of every row (the upload date).
    /// - Parameter level: the gzip level (`--compression-level`).
    package init(path: String, patient: PatientId, timestamp: String, level: Int32 = BundleWriter.defaultLevel) throws {
        self.path = path
        partName = Self.partName(patient)
        schema = try PostgresNames.quoted(patient.schemaName)
        // One patient is one small part, and patients already run in parallel: compressing on
        // the writing thread keeps every core busy without a pool per patient.
        gzip = try GzipWriter(path: path, pool: try CompressionPool(threads: 1, level: level))
        var tail: [UInt8] = [ASCII.tab]
        try Self.appendText(timestamp, to: &tail, column: "created_at")
        tail.append(ASCII.tab)
        try Self.appendText(timestamp, to: &tail, column: "updated_at")
        tail.append(ASCII.newline)
        rowTail = tail
        let (tables, indexes) = SchemaFiles.statementsAndIndexes(SchemaFiles.postgresPatient(patient))
        indexStatements = indexes
        try gzip.write(BundleWriter.partHeader(partName))
        for statement in tables { try gzip.write(statement + ";\n\n") }
        try gzip.write(copyHeader("expression_data", Self.expressionColumns))
        line.reserveCapacity(128)
    }

    package func insert(transcriptId: String, foldChange: Double) throws {
        line.removeAll(keepingCapacity: true)
        try Self.appendText(transcriptId, to: &line, column: "transcript_id")
        line.append(ASCII.tab)
        TableExporter.appendDouble(foldChange, to: &line)
        line.append(contentsOf: rowTail)
        try gzip.write(line)
        expressionRows += 1
    }

    package func finish(metadata: PatientMetadata) throws {
        try gzip.write("\\.\n\n")
        for statement in indexStatements { try gzip.write(statement + ";\n\n") }
        try gzip.write(copyHeader("metadata", Self.metadataColumns))
        let counts = metadata.counts
        let clinical = metadata.clinical
        line.removeAll(keepingCapacity: true)
        let texts: [(String, String?)] = [
            ("patient_id", metadata.patientId), ("upload_date", metadata.uploadDate), ("source_file", metadata.sourceFile),
            ("file_format", metadata.fileFormat), ("normalization_method", metadata.normalizationMethod),
        ]
        for (column, value) in texts { try appendField(value, column: column) }
        for count in [counts.total, counts.matched, counts.unmatched] {
            TableExporter.appendInteger(Int64(count), to: &line)
            line.append(ASCII.tab)
        }
        TableExporter.appendDouble(counts.matchingSuccessRate, to: &line)
        line.append(ASCII.tab)
        let clinicalTexts: [(String, String?)] = [
            ("clinical_notes", clinical.clinicalNotes), ("cancer_type", clinical.cancerType), ("cancer_subtype", clinical.cancerSubtype),
            ("tissue_type", clinical.tissueType), ("sample_type", clinical.sampleType), ("sequencing_platform", clinical.sequencingPlatform),
        ]
        for (column, value) in clinicalTexts { try appendField(value, column: column) }
        if let depth = clinical.readDepthMillions {
            TableExporter.appendDouble(depth, to: &line)
        } else {
            CopyText.encodeNull(into: &line)
        }
        line.append(ASCII.tab)
        // jsonb refuses `\u0000`, which JSONEncoder writes for a NUL in a manifest column.
        if TableExporter.hasNULEscape(metadata.json.utf8.span) {
            throw MediabaseError.unrepresentable("cannot write the metadata of \(schema) to PostgreSQL: metadata_json holds \\u0000, which jsonb cannot hold")
        }
        try Self.appendText(metadata.json, to: &line, column: "metadata_json")
        line.append(ASCII.newline)
        try gzip.write(line)
        try gzip.write("\\.\n")
        digest = try gzip.finish()
    }

    /// Reads the finished part back through the same scan as `mediabase validate DIR` and
    /// returns its patient checks, the gzip and COPY structure first.
    package func validate(core: CoreLookup) throws -> [ValidationCheck] {
        var scan = PartScan()
        // An id the file cannot be asked about counts as unknown: the check then fails, visibly.
        scan.isKnownTranscript = { (try? core.contains(transcriptId: $0)) ?? false }
        var checks: [ValidationCheck] = []
        do {
            try scan.read(LineReader(stream: try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path), name: partName), part: partName)
            checks.append(ValidationCheck(name: "gzip_integrity", passed: true, detail: "the part decompresses to its end"))
        } catch {
            checks.append(ValidationCheck(name: "gzip_integrity", passed: false, detail: error.localizedDescription))
        }
        checks.append(ValidationCheck(name: "copy_structure", passed: scan.problems.isEmpty,
                                      detail: scan.problems.isEmpty ? "\(scan.blocks) COPY blocks, each ended by \\., every row with its header's column count" : scan.problems.prefix(5).joined(separator: "; ")))
        return checks + (scan.patientParts.first?.facts.checks ?? [])
    }

    /// `COPY "patient_<id>".table (columns) FROM stdin;`
    private func copyHeader(_ table: String, _ columns: [String]) -> String {
        "COPY \(schema).\(table) (\(columns.joined(separator: ", "))) FROM stdin;\n"
    }

    /// A text field (or `\N`) and the TAB after it.
    private func appendField(_ value: String?, column: String) throws {
        if let value {
            try Self.appendText(value, to: &line, column: column)
        } else {
            CopyText.encodeNull(into: &line)
        }
        line.append(ASCII.tab)
    }

    /// Text, checked to be UTF-8 without NUL (PostgreSQL text cannot hold NUL), COPY-escaped.
    private static func appendText(_ value: String, to line: inout [UInt8], column: String) throws {
        let bytes = value.utf8.span
        if let offset = UTF8Validation.firstInvalidOffset(bytes) {
            throw MediabaseError.unrepresentable("cannot write \(column) to PostgreSQL: the text has a NUL byte at byte \(offset)")
        }
        CopyText.encodeField(bytes, into: &line)
    }
}
