import Foundation
import MediabaseSQLite
import MediabaseModel
import MediabaseOutput

/// The `metadata` row of a patient (docs/spec.md §5.1).
package struct PatientMetadata: Sendable {
    package var patientId: String
    package var uploadDate: String
    package var sourceFile: String
    package var fileFormat: String
    package var normalizationMethod: String
    package var counts: PatientCounts
    package var clinical: ClinicalMetadata
    /// The rest, as compact JSON with sorted keys: dialect, all counts, options, input digest.
    package var json: String

    package init(patientId: String, uploadDate: String, sourceFile: String, fileFormat: String, normalizationMethod: String,
                counts: PatientCounts, clinical: ClinicalMetadata, json: String) {
        self.patientId = patientId
        self.uploadDate = uploadDate
        self.sourceFile = sourceFile
        self.fileFormat = fileFormat
        self.normalizationMethod = normalizationMethod
        self.counts = counts
        self.clinical = clinical
        self.json = json
    }
}

/// Writes one patient's sparse file `patient_<id>.sqlite` from `schemas/sqlite/patient.sqlite.sql`
/// in one transaction: tables first, rows in transcript-id order, then the fold-change index and
/// the metadata row.
///
/// Rows go in batches of ``batchRows`` per INSERT statement (prepared once): fewer statement
/// executions for the same b-tree work, a third faster than one row per statement.
package final class PatientSQLiteWriter: PatientWriter {
    package let database: SQLiteDatabase
    /// Rows per multi-row INSERT.
    static let batchRows = 64
    /// Inserts ``batchRows`` rows; parameter 1 is the timestamp, then id and value per row.
    private let batchInsert: SQLiteStatement
    /// Inserts the rows left over at the end, one at a time.
    private let singleInsert: SQLiteStatement
    private var pending: [(transcriptId: String, foldChange: Double)] = []
    private let indexStatements: [String]

    /// Creates the tables in a new database at `path` (`:memory:` for a dry run).
    /// - Parameter timestamp: `created_at` and `updated_at` of every row (the upload date).
    package init(path: String, timestamp: String) throws {
        database = try SQLiteDatabase(path: path)
        // The file is a temporary until renamed into place: durability during the load buys nothing.
        try database.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA page_size = 16384; BEGIN")
        let (tables, indexes) = SchemaFiles.statementsAndIndexes(SchemaFiles.sqlitePatient)
        indexStatements = indexes
        for statement in tables { try database.execute(statement) }
        let insert = "INSERT INTO expression_data (transcript_id, expression_fold_change, created_at, updated_at) VALUES "
        batchInsert = try database.prepare(insert + (0..<Self.batchRows).map { "(?\(2 * $0 + 2), ?\(2 * $0 + 3), ?1, ?1)" }.joined(separator: ", "))
        singleInsert = try database.prepare(insert + "(?2, ?3, ?1, ?1)")
        // Bindings outlive a reset that keeps them: the timestamp is bound once.
        try batchInsert.bind(1, timestamp)
        try singleInsert.bind(1, timestamp)
        pending.reserveCapacity(Self.batchRows)
    }

    /// Adds one row; rows must come in transcript-id order.
    package func insert(transcriptId: String, foldChange: Double) throws {
        pending.append((transcriptId, foldChange))
        guard pending.count == Self.batchRows else { return }
        for (index, row) in pending.enumerated() {
            try batchInsert.bind(2 * index + 2, row.transcriptId)
            try batchInsert.bind(2 * index + 3, row.foldChange)
        }
        try batchInsert.step()
        batchInsert.reset(clearingBindings: false)
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes the rows left over, builds the index, writes the metadata row and commits.
    package func finish(metadata: PatientMetadata) throws {
        for row in pending {
            try singleInsert.bind(2, row.transcriptId)
            try singleInsert.bind(3, row.foldChange)
            try singleInsert.step()
            singleInsert.reset(clearingBindings: false)
        }
        pending.removeAll()
        for statement in indexStatements { try database.execute(statement) }
        let row = try database.prepare("""
            INSERT INTO metadata (patient_id, upload_date, source_file, file_format, normalization_method,
                total_transcripts_uploaded, transcripts_matched, transcripts_unmatched, matching_success_rate,
                clinical_notes, cancer_type, cancer_subtype, tissue_type, sample_type, sequencing_platform,
                read_depth_millions, metadata_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let counts = metadata.counts
        let clinical = metadata.clinical
        try row.bind(1, metadata.patientId)
        try row.bind(2, metadata.uploadDate)
        try row.bind(3, metadata.sourceFile)
        try row.bind(4, metadata.fileFormat)
        try row.bind(5, metadata.normalizationMethod)
        try row.bind(6, Int64(counts.total))
        try row.bind(7, Int64(counts.matched))
        try row.bind(8, Int64(counts.unmatched))
        try row.bind(9, counts.matchingSuccessRate)
        try row.bind(10, clinical.clinicalNotes)
        try row.bind(11, clinical.cancerType)
        try row.bind(12, clinical.cancerSubtype)
        try row.bind(13, clinical.tissueType)
        try row.bind(14, clinical.sampleType)
        try row.bind(15, clinical.sequencingPlatform)
        try row.bind(16, clinical.readDepthMillions)
        try row.bind(17, metadata.json)
        try row.run()
        try database.execute("COMMIT")
        try database.execute("PRAGMA journal_mode = DELETE; PRAGMA locking_mode = NORMAL")
    }
}

extension PatientSQLiteWriter {
    /// ``PatientValidator``'s checks on the file just written (`quick_check`: it was written a
    /// moment ago in one transaction).
    package func validate(core: CoreLookup) throws -> [ValidationCheck] {
        try PatientValidator.validate(database, core: core, integrity: .quick)
    }
}
