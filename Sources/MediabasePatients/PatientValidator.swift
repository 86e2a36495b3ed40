import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// The checks of docs/spec.md §7 that apply to one patient file `patient_<id>.sqlite`.
///
/// Each is asked of the data, not of the schema, so a file whose constraints were bypassed (a
/// table rebuilt without its CHECKs) is still caught: zero rows at 1.0, zero non-positive or
/// non-numeric values, zero duplicate or orphan transcript ids, one metadata row,
/// matched + unmatched = total, stored rows equal to the count recorded at write time and, for
/// a migrated legacy dump, to the source's non-baseline rows.
package enum PatientValidator {
    /// How thoroughly SQLite checks the file's structure.
    package enum Integrity: Sendable {
        /// `PRAGMA integrity_check`: also that every index matches its table.
        case full
        /// `PRAGMA quick_check`: the b-trees only, for a file just written in one transaction,
        /// whose index was built from the table a moment ago (a quarter of the time).
        case quick
    }

    /// The constraint and index names every patient file carries (docs/spec.md §5.1).
    static let requiredNames = ["check_fold_change_not_default", "check_fold_change_positive", "idx_expression_data_fold_change"]

    /// Runs every check; throws only for an unreadable database.
    /// - Parameter core: the core the file was matched against; without it the orphan check is
    ///   reported as skipped.
    package static func validate(_ database: SQLiteDatabase, core: CoreLookup?, integrity: Integrity = .full) throws -> [ValidationCheck] {
        var checks: [ValidationCheck] = []
        let schema = try database.rows("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('table', 'index')")
        let tables = Set(schema.compactMap { $0[0] })
        let missingTables = ["expression_data", "metadata"].filter { !tables.contains($0) }
        let ddl = schema.map { $0[1] ?? "" }.joined(separator: "\n")
        let missingNames = requiredNames.filter { name in !tables.contains(name) && !ddl.contains(name) }
        let missing = missingTables + missingNames
        checks.append(ValidationCheck(name: "patient_schema_present", passed: missing.isEmpty,
                                      detail: missing.isEmpty ? "expression_data with both CHECKs and the fold-change index, metadata" : "missing: \(missing.joined(separator: ", "))"))
        guard missingTables.isEmpty else { return checks }

        let pragma = integrity == .full ? "integrity_check" : "quick_check"
        let structure = try database.rows("PRAGMA \(pragma)").compactMap { $0[0] }
        checks.append(ValidationCheck(name: "integrity_check", passed: structure == ["ok"], detail: "\(pragma): \(structure.prefix(5).joined(separator: "; "))"))

        // One scan for the value checks.
        let values = try database.rows("""
            SELECT count(*),
                   count(*) FILTER (WHERE expression_fold_change = 1.0),
                   count(*) FILTER (WHERE typeof(expression_fold_change) NOT IN ('real', 'integer') OR expression_fold_change <= 0)
            FROM expression_data
            """)[0].map { Int($0 ?? "") ?? 0 }
        let stored = values[0]
        checks.append(ValidationCheck(name: "no_baseline_rows", passed: values[1] == 0, detail: "\(values[1]) row(s) with fold change 1.0 (sparse storage keeps none)"))
        checks.append(ValidationCheck(name: "positive_fold_changes", passed: values[2] == 0, detail: "\(values[2]) row(s) with a fold change that is not a number above 0"))

        // One ordered pass over the ids for duplicates and, walking the core's sorted ids
        // alongside (both in bytewise order), ids the core lacks.
        var duplicates = 0
        var orphans: [String] = []
        var orphanCount = 0
        var previous: String?
        var coreIds = try core?.sortedIds()
        let ids = try database.prepare("SELECT transcript_id FROM expression_data ORDER BY transcript_id")
        while try ids.step() {
            let id = ids.text(0) ?? ""
            if let previous, Self.compareBytes(previous, id) == 0 { duplicates += 1 }
            previous = id
            guard coreIds != nil else { continue }
            if try !coreIds!.contains(id) {
                orphanCount += 1
                if orphans.count < 5 { orphans.append(id) }
            }
        }
        checks.append(ValidationCheck(name: "unique_transcripts", passed: duplicates == 0, detail: "\(duplicates) duplicate transcript id(s)"))
        if core != nil {
            checks.append(ValidationCheck(name: "no_orphan_transcripts", passed: orphanCount == 0,
                                          detail: orphanCount == 0 ? "every transcript id is in the core" : "\(orphanCount) transcript id(s) not in the core: \(orphans.joined(separator: ", "))"))
        } else {
            checks.append(ValidationCheck(name: "no_orphan_transcripts", passed: true, detail: "skipped: no core to check against (give --core)"))
        }

        let metadata = try database.rows("SELECT total_transcripts_uploaded, transcripts_matched, transcripts_unmatched, metadata_json FROM metadata")
        checks.append(ValidationCheck(name: "one_metadata_row", passed: metadata.count == 1, detail: "\(metadata.count) metadata row(s)"))
        guard metadata.count == 1 else { return checks }
        let total = Int(metadata[0][0] ?? "") ?? -1
        let matched = Int(metadata[0][1] ?? "") ?? -1
        let unmatched = Int(metadata[0][2] ?? "") ?? -1
        checks.append(ValidationCheck(name: "counts_add_up", passed: total >= 0 && matched >= 0 && unmatched >= 0 && matched + unmatched == total,
                                      detail: "matched \(matched) + unmatched \(unmatched), total \(total)"))

        let recorded = recordedCounts(metadata[0][3])
        if let expected = recorded.stored {
            checks.append(ValidationCheck(name: "stored_rows", passed: stored == expected, detail: "\(stored) row(s), metadata records \(expected)"))
        }
        if let source = recorded.sourceNonBaseline {
            checks.append(ValidationCheck(name: "legacy_rows_migrated", passed: stored == source,
                                          detail: "\(stored) row(s) stored, the legacy dump has \(source) non-baseline row(s)"))
        }
        return checks
    }

    /// The bytewise order of two texts, as SQLite's BINARY collation sorts them: negative, 0 or
    /// positive.
    private static func compareBytes(_ left: String, _ right: String) -> Int {
        left.utf8.span.compare(right.utf8.span)
    }

    /// `counts.stored` and `counts.source_non_baseline_rows` from `metadata_json`.
    private static func recordedCounts(_ json: String?) -> (stored: Int?, sourceNonBaseline: Int?) {
        guard let json, let document = try? JSON.parse(json), let counts = document["counts"] else { return (nil, nil) }
        func integer(_ key: String) -> Int? { counts[key]?.doubleValue.flatMap { Int(exactly: $0) } }
        return (integer("stored"), integer("source_non_baseline_rows"))
    }
}
