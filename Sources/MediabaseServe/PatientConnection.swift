import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseSQLite

/// A patient's stored fold changes, in the orders the listing and the comparison read them.
///
/// A patient file stores only values ≠ 1.0 (docs/spec.md §5.1); so does the core's baseline, whose
/// "stored" values are its transcripts whose `expression_fold_change` is not 1.0.
protocol FoldChangeSource {
    /// The stored value of a transcript, nil when none is stored (its value is 1.0).
    func storedValue(_ transcriptId: String) throws -> Double?
    /// Visits the stored values within `low...high`, fold change descending then transcript id
    /// ascending, until `visit` returns false.
    func forEachStored(from low: Double, to high: Double, _ visit: (String, Double) throws -> Bool) throws
}

/// A read-only connection to one `patient_<id>.sqlite` with its statements prepared once.
///
/// Preparing them is the validity check: a file that is not SQLite, or lacks
/// `expression_data` or `metadata` with their columns, fails here and is reported invalid.
final class PatientConnection: FoldChangeSource {
    let database: SQLiteDatabase
    /// The file as it was when opened; a different one at the same path is a new patient file.
    let identity: FileIdentity
    private let value: SQLiteStatement
    private let range: SQLiteStatement
    private let rangeById: SQLiteStatement
    private let byId: SQLiteStatement
    private let count: SQLiteStatement
    private let metadata: SQLiteStatement
    private let ids: SQLiteStatement
    /// The stored transcript ids, read on the first lookup: most ids a comparison or a listing
    /// asks about are not stored (a patient stores a few percent of the core's transcripts),
    /// and the filter answers those without a query.
    private var storedIds: ApproximateSet?

    /// The `metadata` columns `/patients` shows: all but `metadata_json` (docs/spec.md §10).
    static let metadataColumns = [
        "patient_id", "upload_date", "source_file", "file_format", "normalization_method", "total_transcripts_uploaded",
        "transcripts_matched", "transcripts_unmatched", "matching_success_rate", "clinical_notes", "cancer_type",
        "cancer_subtype", "tissue_type", "sample_type", "sequencing_platform", "read_depth_millions",
    ]

    init(path: String, identity: FileIdentity) throws {
        self.identity = identity
        database = try SQLiteDatabase(path: path, readOnly: true)
        value = try database.prepare("SELECT expression_fold_change FROM expression_data WHERE transcript_id = ?1")
        // The fold-change index gives the first key; ties (rare) are sorted by id.
        range = try database.prepare("""
            SELECT transcript_id, expression_fold_change FROM expression_data
            WHERE expression_fold_change BETWEEN ?1 AND ?2 ORDER BY expression_fold_change DESC, transcript_id
            """)
        // `+` keeps SQLite off the fold-change index: it walks the primary key in order and
        // filters, so a merge that stops after a page reads a page's worth, not every in-bound
        // row sorted (a patient's whole table at most).
        rangeById = try database.prepare("""
            SELECT transcript_id, expression_fold_change FROM expression_data
            WHERE +expression_fold_change BETWEEN ?1 AND ?2 ORDER BY transcript_id
            """)
        byId = try database.prepare("SELECT transcript_id, expression_fold_change FROM expression_data ORDER BY transcript_id")
        count = try database.prepare("SELECT count(*) FROM expression_data")
        ids = try database.prepare("SELECT transcript_id FROM expression_data")
        metadata = try database.prepare("SELECT \(Self.metadataColumns.joined(separator: ", ")) FROM metadata ORDER BY patient_id LIMIT 1")
    }

    func storedValue(_ transcriptId: String) throws -> Double? {
        if storedIds == nil { storedIds = try readStoredIds() }
        guard storedIds!.mayContain(Self.key(transcriptId)) else { return nil }
        try value.bind(1, transcriptId)
        defer { value.reset() }
        return try value.step() ? value.double(0) : nil
    }

    func forEachStored(from low: Double, to high: Double, _ visit: (String, Double) throws -> Bool) throws {
        try range.bind(1, low)
        try range.bind(2, high)
        defer { range.reset() }
        while try range.step() {
            guard try visit(range.text(0) ?? "", range.double(1)) else { return }
        }
    }

    /// One scan of the ids: their keys first, then a set sized for them.
    private func readStoredIds() throws -> ApproximateSet {
        var keys: [UInt64] = []
        let statement = ids
        defer { statement.reset() }
        while try statement.step() { keys.append(Self.key(statement.textBytes(0))) }
        var set = ApproximateSet(bitCount: ApproximateSet.bitCount(forKeys: keys.count))
        for key in keys { set.insert(key) }
        return set
    }

    /// The filter's key of a transcript id (Hasher is seeded per process; the filter lives in it).
    private static func key(_ id: String) -> UInt64 { key(id.utf8.span) }

    private static func key(_ id: Span<UInt8>?) -> UInt64 {
        var hasher = Hasher()
        if let id { hasher.combine(id) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// A cursor over the stored values in transcript id order (the table's primary key).
    func storedById() -> StoredCursor { StoredCursor(statement: byId) }

    /// A cursor over the stored values within `low...high`, in transcript id order.
    func storedById(from low: Double, to high: Double) throws -> StoredCursor {
        try rangeById.bind(1, low)
        try rangeById.bind(2, high)
        return StoredCursor(statement: rangeById)
    }

    func storedCount() throws -> Int64 {
        defer { count.reset() }
        return try count.step() ? count.int64(0) : 0
    }

    /// The metadata row: column name, SQLite storage class and value; nil when there is none.
    func metadataRow() throws -> [(name: String, value: MetadataValue)]? {
        defer { metadata.reset() }
        guard try metadata.step() else { return nil }
        return Self.metadataColumns.indices.map { index in
            let value: MetadataValue
            switch metadata.storageClass(index) {
            case .integer: value = .integer(metadata.int64(index))
            case .float: value = .real(metadata.double(index))
            case .null: value = .null
            default: value = .text(metadata.text(index) ?? "")
            }
            return (Self.metadataColumns[index], value)
        }
    }

    enum MetadataValue {
        case integer(Int64), real(Double), text(String), null
    }
}

/// Steps a statement that yields (transcript id, fold change) rows in id order; `reset()` when
/// done so the statement can run again.
final class StoredCursor {
    private let statement: SQLiteStatement
    private(set) var current: (id: String, value: Double)?

    init(statement: SQLiteStatement) { self.statement = statement }

    func advance() throws {
        current = try statement.step() ? (statement.text(0) ?? "", statement.double(1)) : nil
    }

    func reset() { statement.reset() }
}
