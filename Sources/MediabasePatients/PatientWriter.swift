import MediabaseModel
/// Where one patient's normalized rows go: ``PatientSQLiteWriter`` (a file
/// `patient_<id>.sqlite`) or ``PatientBundleWriter`` (a bundle part
/// `patients/patient_<id>.sql.gz`).
///
/// The batch drives every writer the same way — the stored rows of ``PatientExpression`` in
/// transcript-id order, then the metadata row, then the checks — so what a patient stores is
/// decided once, before the writer, and both targets hold the same values.
package protocol PatientWriter: AnyObject {
    /// Adds one `expression_data` row; rows come in transcript-id order (bytewise).
    func insert(transcriptId: String, foldChange: Double) throws
    /// Writes what is left, the fold-change index and the metadata row, and closes the output.
    func finish(metadata: PatientMetadata) throws
    /// The checks of docs/spec.md §7 on the finished output, read back from it rather than trusted.
    func validate(core: CoreLookup) throws -> [ValidationCheck]
}
