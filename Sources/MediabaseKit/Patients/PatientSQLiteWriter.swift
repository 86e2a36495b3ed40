import Foundation

/// The `metadata` row of a patient (SPEC 5.1).
public struct PatientMetadata: Sendable {
    public var patientId: String
    public var uploadDate: String
    public var sourceFile: String
    public var fileFormat: String
    public var normalizationMethod: String
    public var counts: PatientCounts
    public var clinical: ClinicalMetadata
    /// The rest, as compact JSON with sorted keys: dialect, all counts, options, input digest.
    public var json: String

    public init(patientId: String, uploadDate: String, sourceFile: String, fileFormat: String, normalizationMethod: String,
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
/// in one transaction: tables first, rows in transcript-id order through a prepared statement,
/// then the fold-change index and the metadata row.
public final class PatientSQLiteWriter {
    public let database: SQLiteDatabase
    private let insert: SQLiteStatement
    private let timestamp: String
    private let indexStatements: [String]

    /// Creates the tables in a new database at `path` (`:memory:` for a dry run).
    /// - Parameter timestamp: `created_at` and `updated_at` of every row (the upload date).
    public init(path: String, timestamp: String) throws {
        database = try SQLiteDatabase(path: path)
        self.timestamp = timestamp
        // The file is a temporary until renamed into place: durability during the load buys nothing.
        try database.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; BEGIN")
        let statements = SchemaFiles.statements(SchemaFiles.sqlitePatient)
        let isIndex = { (statement: String) in
            statement.split(separator: "\n").first { !$0.trimmingWhitespace.hasPrefix("--") }?.trimmingWhitespace.hasPrefix("CREATE INDEX") == true
        }
        indexStatements = statements.filter(isIndex)
        for statement in statements where !isIndex(statement) { try database.execute(statement) }
        insert = try database.prepare("INSERT INTO expression_data (transcript_id, expression_fold_change, created_at, updated_at) VALUES (?, ?, ?, ?)")
    }

    /// Adds one row; rows must come in transcript-id order.
    public func insert(transcriptId: String, foldChange: Double) throws {
        insert.bind(1, transcriptId)
        insert.bind(2, foldChange)
        insert.bind(3, timestamp)
        insert.bind(4, timestamp)
        try insert.run()
    }

    /// Builds the index, writes the metadata row and commits.
    public func finish(metadata: PatientMetadata) throws {
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
        row.bind(1, metadata.patientId)
        row.bind(2, metadata.uploadDate)
        row.bind(3, metadata.sourceFile)
        row.bind(4, metadata.fileFormat)
        row.bind(5, metadata.normalizationMethod)
        row.bind(6, Int64(counts.total))
        row.bind(7, Int64(counts.matched))
        row.bind(8, Int64(counts.unmatched))
        row.bind(9, counts.matchingSuccessRate)
        row.bind(10, clinical.clinicalNotes)
        row.bind(11, clinical.cancerType)
        row.bind(12, clinical.cancerSubtype)
        row.bind(13, clinical.tissueType)
        row.bind(14, clinical.sampleType)
        row.bind(15, clinical.sequencingPlatform)
        row.bind(16, clinical.readDepthMillions)
        row.bind(17, metadata.json)
        try row.run()
        try database.execute("COMMIT")
        try database.execute("PRAGMA journal_mode = DELETE; PRAGMA locking_mode = NORMAL")
    }
}
