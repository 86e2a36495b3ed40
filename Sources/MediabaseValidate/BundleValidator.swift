import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseOutput
import MediabasePatients

/// The checks of docs/spec.md §7 that apply to a bundle, run without a server: the manifest against the
/// files, gzip integrity, and the structure of the SQL the parts hold.
///
/// ```swift
/// let checks = try BundleValidator.validate(folder: "core.bundle")
/// let passed = checks.allSatisfy(\.passed)
/// ```
package enum BundleValidator {
    /// Files a bundle may hold without listing them: the manifest, the reports of `convert` and
    /// `patients`, and the rejects of `patients` (see ``PatientBundle``).
    static let unlistedAllowed: Set<String> = [BundleManifest.fileName, "report.json", PatientBundle.reportName, PatientBundle.rejectsName]
    /// Problems quoted per check; the count says how many there were.
    private static let examples = 5

    /// Runs every check. Failed checks are results, not errors; this throws only when the folder
    /// cannot be listed.
    package static func validate(folder: String) throws -> [ValidationCheck] {
        var checks: [ValidationCheck] = []
        let manifest: BundleManifest
        do {
            manifest = try BundleManifest.read(folder: folder)
        } catch {
            return [ValidationCheck(name: "manifest", passed: false, detail: error.localizedDescription)]
        }
        let supported = manifest.formatVersion == BundleManifest.currentFormatVersion
        checks.append(ValidationCheck(name: "manifest", passed: supported,
                                      detail: supported ? "format \(manifest.formatVersion), \(manifest.files.count) files, made by \(manifest.tool) \(manifest.toolVersion)"
                                                        : "format version \(manifest.formatVersion); this tool reads \(BundleManifest.currentFormatVersion)"))
        guard supported else { return checks }

        checks.append(try checkFiles(manifest, folder: folder))
        checks.append(try checkUnlisted(manifest, folder: folder))
        let script = (folder as NSString).appendingPathComponent(BundleWriter.loadScript)
        let executable = manifest.files.contains { $0.name == BundleWriter.loadScript } && FileKind.isExecutable(script)
        checks.append(ValidationCheck(name: "load_script", passed: executable,
                                      detail: executable ? "\(BundleWriter.loadScript) is listed and executable" : "\(BundleWriter.loadScript) is missing, unlisted or not executable"))

        // One pass over each part: decompress to the end, and follow the SQL and COPY blocks,
        // checking the core's keys on the rows of a bundle that holds the core.
        var scan = PartScan()
        scan.collectsTranscripts = manifest.files.contains { PatientPartFacts.schema(ofPart: $0.name) != nil }
        let keys = manifest.patientsOnly == true ? nil : BundleKeyCheck()
        let keysThread = keys.map { ThreadedRowObserver(next: $0) }
        scan.rowObserver = keysThread
        var gzipProblems: [String] = []
        let parts = manifest.files.map(\.name).filter { $0.hasSuffix(".sql.gz") && FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }
        for part in parts {
            do {
                try scan.read(try lines(of: part, in: folder), part: part)
            } catch {
                gzipProblems.append(error.localizedDescription)
            }
        }
        try keysThread?.close()
        if let keys {
            keys.finish()
            if keys.hasScattered {
                // A second pass over the core's parts, for the keys of rows that were not together.
                keys.recheck()
                var again = PartScan()
                again.rowObserver = keys
                for part in parts where PatientPartFacts.schema(ofPart: part) == nil { try? again.read(try lines(of: part, in: folder), part: part) }
            }
        }
        checks.append(ValidationCheck(name: "gzip_integrity", passed: gzipProblems.isEmpty,
                                      detail: gzipProblems.isEmpty ? "every part decompresses to its end" : summary(gzipProblems)))
        checks.append(ValidationCheck(name: "copy_structure", passed: scan.problems.isEmpty,
                                      detail: scan.problems.isEmpty ? "\(scan.blocks) COPY blocks, each ended by \\., every row with its header's column count; no psql meta-commands" : summary(scan.problems)))

        // A patients-only bundle is loaded after a core bundle; it creates no core table.
        if manifest.patientsOnly != true {
            let missingTables = SchemaFiles.postgresTables.map(\.name).filter { !scan.createdTables.contains($0) }
            let missingViews = SchemaFiles.postgresViewNames.filter { !scan.createdViews.contains($0) }
            let missing = missingTables + missingViews
            checks.append(ValidationCheck(name: "schema_present", passed: missing.isEmpty,
                                          detail: missing.isEmpty ? "every core table and materialized view is created" : "not created: \(missing.joined(separator: ", "))"))
            let versionOK = scan.versions.contains(SQLiteCoreWriter.schemaVersion) && manifest.schemaVersion == SQLiteCoreWriter.schemaVersion
            checks.append(ValidationCheck(name: "schema_version", passed: versionOK, detail: "schema_versions: \(scan.versions.joined(separator: ", "))"))
        }
        if let keys {
            let repeated = keys.repeatedKeys
            checks.append(ValidationCheck(name: "unique_keys", passed: repeated.count == 0,
                                          detail: repeated.count == 0 ? "no primary or unique key of the core repeats" : summary(repeated.examples, count: repeated.count)))
            let orphans = keys.orphanProblems
            checks.append(ValidationCheck(name: "foreign_keys", passed: orphans.isEmpty,
                                          detail: orphans.isEmpty ? "every foreign key's value is in its parent" : summary(orphans)))
        }
        checks += patientChecks(scan.patientParts)

        var mismatches: [String] = []
        for table in Set(manifest.rowsPerTable.keys).union(scan.rows.keys).sorted() {
            let expected = manifest.rowsPerTable[table]
            let actual = scan.rows[table]
            if expected != actual {
                mismatches.append("\(table): \(actual.map { "\($0) rows" } ?? "no COPY block"), manifest \(expected.map(String.init) ?? "does not list it")")
            }
        }
        checks.append(ValidationCheck(name: "row_counts", passed: mismatches.isEmpty,
                                      detail: mismatches.isEmpty ? "\(manifest.rowsPerTable.count) tables match the manifest" : summary(mismatches)))
        return checks
    }

    /// The checks of ``PatientPartFacts`` over every patient part, one result per check name:
    /// failed when any part fails it, naming the parts. None without patient parts.
    static func patientChecks(_ parts: [(part: String, facts: PatientPartFacts)]) -> [ValidationCheck] {
        guard !parts.isEmpty else { return [] }
        var order: [String] = []
        var failures: [String: [String]] = [:]
        var checked: [String: Int] = [:]
        var details: [String: String] = [:]
        for (part, facts) in parts {
            for check in facts.checks {
                if failures[check.name] == nil {
                    order.append(check.name)
                    failures[check.name] = []
                    details[check.name] = check.detail
                }
                checked[check.name, default: 0] += 1
                if !check.passed { failures[check.name]!.append("\(part): \(check.detail)") }
            }
        }
        return order.map { name in
            let failed = failures[name]!
            let count = checked[name]!
            return ValidationCheck(name: "patients_" + name, passed: failed.isEmpty,
                                   detail: failed.isEmpty ? "\(count) patient part(s) pass" + (count == 1 ? ": \(details[name]!)" : "") : summary(failed))
        }
    }

    /// Every listed file exists with its size and SHA-256.
    private static func checkFiles(_ manifest: BundleManifest, folder: String) throws -> ValidationCheck {
        var problems: [String] = []
        for file in manifest.files {
            let path = (folder as NSString).appendingPathComponent(file.name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? NSNumber else {
                problems.append("\(file.name) is missing")
                continue
            }
            if size.int64Value != file.bytes {
                problems.append("\(file.name) has \(size.int64Value) bytes, the manifest says \(file.bytes)")
            } else if try FileDigest.sha256(path: path) != file.sha256 {
                problems.append("\(file.name) does not have the manifest's SHA-256")
            }
        }
        return ValidationCheck(name: "files", passed: problems.isEmpty,
                               detail: problems.isEmpty ? "\(manifest.files.count) files with the manifest's sizes and SHA-256" : summary(problems))
    }

    /// No file in the folder (or its subfolders) that the manifest does not list.
    private static func checkUnlisted(_ manifest: BundleManifest, folder: String) throws -> ValidationCheck {
        let listed = Set(manifest.files.map(\.name)).union(unlistedAllowed)
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw MediabaseError.io(path: folder, message: "cannot list the bundle folder")
        }
        var unlisted: [String] = []
        while let name = enumerator.nextObject() as? String {
            let isFolder = FileKind(at: (folder as NSString).appendingPathComponent(name)) == .directory
            if !isFolder, !listed.contains(name) { unlisted.append(name) }
        }
        unlisted.sort()
        return ValidationCheck(name: "unlisted_files", passed: unlisted.isEmpty,
                               detail: unlisted.isEmpty ? "every file is in the manifest" : "not in the manifest: \(unlisted.joined(separator: ", "))")
    }

    private static func summary(_ problems: [String], count: Int? = nil) -> String {
        let count = count ?? problems.count
        let shown = problems.prefix(examples).joined(separator: "; ")
        return count > min(examples, problems.count) ? "\(count) problems: \(shown); …" : shown
    }

    /// The lines of a part, decompressed.
    private static func lines(of part: String, in folder: String) throws -> LineReader {
        let path = (folder as NSString).appendingPathComponent(part)
        return LineReader(stream: try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path), name: part)
    }
}
