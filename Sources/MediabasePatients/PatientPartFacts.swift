import Foundation
import MediabaseBytes
import MediabaseModel

/// What one bundle part `patients/patient_<id>.sql.gz` holds, gathered while ``PartScan`` reads
/// it, for the patient checks of docs/spec.md §7 that need no server: the schema and its constraint
/// names, no row at 1.0, no value that is not a number above 0, no duplicate or orphan
/// transcript id, one metadata row, matched + unmatched = total, and the stored rows equal to
/// the count recorded in `metadata_json`.
///
/// The checks have the names of ``PatientValidator``'s, so a patient reads the same in a SQLite
/// file and in a bundle.
package struct PatientPartFacts {
    /// `patient_<id>`, from the part's file name: the only schema the part may write to.
    let schema: String
    private(set) var createdSchema = false
    /// The names of ``PatientValidator/requiredNames`` the part's SQL declares.
    private(set) var declaredNames = Set<String>()
    private(set) var expressionRows = 0
    private(set) var baselineRows = 0
    private(set) var notPositive = 0
    /// Ids not above the one before: the writer writes them sorted, so this counts duplicates
    /// (and any disorder, which would hide them).
    private(set) var outOfOrder = 0
    private(set) var orphans = 0
    private(set) var orphanExamples: [String] = []
    private(set) var orphansChecked = false
    private(set) var metadataRows = 0
    /// total, matched and unmatched of the first metadata row.
    private(set) var counts: [Int?] = []
    /// `counts.stored` and `counts.source_non_baseline_rows` of its `metadata_json`.
    private(set) var recordedStored: Int?
    private(set) var recordedSourceNonBaseline: Int?
    /// COPY blocks into a schema other than ``schema``.
    private(set) var foreignBlocks: [String] = []
    private var previousId: String?

    /// The patient schema a part name stands for, nil when the name is not
    /// `patients/patient_<id>.sql.gz`.
    package static func schema(ofPart name: String) -> String? {
        guard name.hasPrefix("patients/"), name.hasSuffix(".sql.gz") else { return nil }
        let schema = String(name.dropFirst("patients/".count).dropLast(".sql.gz".count))
        guard schema.hasPrefix(PatientId.namePrefix), PatientId.problem(with: String(schema.dropFirst(PatientId.namePrefix.count))) == nil else { return nil }
        return schema
    }

    init(schema: String) { self.schema = schema }

    /// Notes what a SQL line (outside COPY data) declares.
    mutating func sqlLine(_ text: String) {
        if text.hasPrefix("CREATE SCHEMA \"\(schema)\";") { createdSchema = true }
        for name in PatientValidator.requiredNames where text.contains(name) { declaredNames.insert(name) }
    }

    /// Notes that a COPY block into `schema`.`table` starts.
    mutating func copyBlock(schema blockSchema: String?, table: String) {
        if blockSchema != schema { foreignBlocks.append("\(blockSchema ?? "-").\(table)") }
    }

    /// Takes one decoded row of the part's COPY block into `table`.
    /// - Parameter isKnownTranscript: whether an id is in the core; nil: orphans are not checked.
    mutating func row(_ row: RowBuffer, table: String, isKnownTranscript: ((String) -> Bool)?) {
        switch table {
        case "expression_data":
            expressionRows += 1
            let id = row.string(0) ?? ""
            if let previousId, !Self.isBytewiseAscending(previousId, id) { outOfOrder += 1 }
            previousId = id
            let value = row.string(1).flatMap(Double.init)
            if value == 1.0 { baselineRows += 1 }
            if !(value.map { $0 > 0 } ?? false) { notPositive += 1 }
            if let isKnownTranscript {
                orphansChecked = true
                if !isKnownTranscript(id) {
                    orphans += 1
                    if orphanExamples.count < 5 { orphanExamples.append(id) }
                }
            }
        case "metadata":
            metadataRows += 1
            guard metadataRows == 1 else { return }
            // total_transcripts_uploaded, transcripts_matched, transcripts_unmatched.
            counts = (5...7).map { row.string($0).flatMap { Int($0) } }
            if let json = row.string(16), let document = try? JSON.parse(json), let recorded = document["counts"] {
                recordedStored = recorded["stored"]?.doubleValue.flatMap { Int(exactly: $0) }
                recordedSourceNonBaseline = recorded["source_non_baseline_rows"]?.doubleValue.flatMap { Int(exactly: $0) }
            }
        default:
            break
        }
    }

    /// The checks, named as ``PatientValidator`` names them.
    package var checks: [ValidationCheck] {
        var checks: [ValidationCheck] = []
        let missing = (createdSchema ? [] : ["CREATE SCHEMA \"\(schema)\""]) + PatientValidator.requiredNames.filter { !declaredNames.contains($0) }
        checks.append(ValidationCheck(name: "patient_schema_present", passed: missing.isEmpty && foreignBlocks.isEmpty,
                                      detail: !missing.isEmpty ? "missing: \(missing.joined(separator: ", "))"
                                          : !foreignBlocks.isEmpty ? "COPY into another schema: \(foreignBlocks.joined(separator: ", "))"
                                          : "schema \(schema) with expression_data (both CHECKs, the fold-change index) and metadata"))
        checks.append(ValidationCheck(name: "no_baseline_rows", passed: baselineRows == 0, detail: "\(baselineRows) row(s) with fold change 1.0 (sparse storage keeps none)"))
        checks.append(ValidationCheck(name: "positive_fold_changes", passed: notPositive == 0, detail: "\(notPositive) row(s) with a fold change that is not a number above 0"))
        checks.append(ValidationCheck(name: "unique_transcripts", passed: outOfOrder == 0, detail: "\(outOfOrder) transcript id(s) repeated or out of order"))
        if orphansChecked || expressionRows == 0 {
            checks.append(ValidationCheck(name: "no_orphan_transcripts", passed: orphans == 0,
                                          detail: orphans == 0 ? "every transcript id is in the core" : "\(orphans) transcript id(s) not in the core: \(orphanExamples.joined(separator: ", "))"))
        } else {
            checks.append(ValidationCheck(name: "no_orphan_transcripts", passed: true, detail: "skipped: the bundle holds no core (the foreign key checks it at load)"))
        }
        checks.append(ValidationCheck(name: "one_metadata_row", passed: metadataRows == 1, detail: "\(metadataRows) metadata row(s)"))
        guard metadataRows == 1 else { return checks }
        let values = counts.map { $0 ?? -1 }
        let (total, matched, unmatched) = (values[0], values[1], values[2])
        checks.append(ValidationCheck(name: "counts_add_up", passed: total >= 0 && matched >= 0 && unmatched >= 0 && matched + unmatched == total,
                                      detail: "matched \(matched) + unmatched \(unmatched), total \(total)"))
        if let recordedStored {
            checks.append(ValidationCheck(name: "stored_rows", passed: expressionRows == recordedStored, detail: "\(expressionRows) row(s), metadata records \(recordedStored)"))
        }
        if let recordedSourceNonBaseline {
            checks.append(ValidationCheck(name: "legacy_rows_migrated", passed: expressionRows == recordedSourceNonBaseline,
                                          detail: "\(expressionRows) row(s) stored, the legacy dump has \(recordedSourceNonBaseline) non-baseline row(s)"))
        }
        return checks
    }

    /// Whether `left` sorts strictly before `right` bytewise (the order of the core's ids).
    private static func isBytewiseAscending(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }
}
