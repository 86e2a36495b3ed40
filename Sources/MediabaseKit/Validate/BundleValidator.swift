import Foundation

/// The checks of docs/spec.md §7 that apply to a bundle, run without a server: the manifest against the
/// files, gzip integrity, and the structure of the SQL the parts hold.
///
/// ```swift
/// let checks = try BundleValidator.validate(folder: "core.bundle")
/// let passed = checks.allSatisfy(\.passed)
/// ```
public enum BundleValidator {
    /// Files a bundle may hold without listing them: the manifest, the reports of `convert` and
    /// `patients`, and the rejects of `patients` (see ``PatientBundle``).
    static let unlistedAllowed: Set<String> = [BundleManifest.fileName, "report.json", PatientBundle.reportName, PatientBundle.rejectsName]
    /// Problems quoted per check; the count says how many there were.
    private static let examples = 5

    /// Runs every check. Failed checks are results, not errors; this throws only when the folder
    /// cannot be listed.
    public static func validate(folder: String) throws -> [ValidationCheck] {
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
        let executable = manifest.files.contains { $0.name == BundleWriter.loadScript } && access(script, X_OK) == 0
        checks.append(ValidationCheck(name: "load_script", passed: executable,
                                      detail: executable ? "\(BundleWriter.loadScript) is listed and executable" : "\(BundleWriter.loadScript) is missing, unlisted or not executable"))

        // One pass over each part: decompress to the end, and follow the SQL and COPY blocks.
        var scan = PartScan()
        scan.collectsTranscripts = manifest.files.contains { PatientPartFacts.schema(ofPart: $0.name) != nil }
        var gzipProblems: [String] = []
        for file in manifest.files where file.name.hasSuffix(".sql.gz") {
            let path = (folder as NSString).appendingPathComponent(file.name)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let lines = LineReader(stream: try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path), name: file.name)
                try scan.read(lines, part: file.name)
            } catch {
                gzipProblems.append(error.localizedDescription)
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
            var isDirectory: ObjCBool = false
            let isFolder = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isDirectory) && isDirectory.boolValue
            if !isFolder, !listed.contains(name) { unlisted.append(name) }
        }
        unlisted.sort()
        return ValidationCheck(name: "unlisted_files", passed: unlisted.isEmpty,
                               detail: unlisted.isEmpty ? "every file is in the manifest" : "not in the manifest: \(unlisted.joined(separator: ", "))")
    }

    private static func summary(_ problems: [String]) -> String {
        let shown = problems.prefix(examples).joined(separator: "; ")
        return problems.count > examples ? "\(problems.count) problems: \(shown); …" : shown
    }
}

/// What a pass over the parts finds: COPY blocks and their rows, the tables and views created,
/// the schema version rows, and structural problems.
struct PartScan {
    /// Rows per COPY block, by table: the bare name for schema `public`, `schema.table` else
    /// (`patient_p1.expression_data`).
    private(set) var rows: [String: Int] = [:]
    private(set) var blocks = 0
    private(set) var problems: [String] = []
    private(set) var createdTables = Set<String>()
    private(set) var createdViews = Set<String>()
    private(set) var versions: [String] = []
    /// What each patient part holds, by part name, in scan order.
    private(set) var patientParts: [(part: String, facts: PatientPartFacts)] = []
    /// Whether a transcript id is in the core, for the patient parts' orphan check; nil: the ids
    /// of the core's `transcripts` COPY block, when a part scanned earlier had one.
    var isKnownTranscript: ((String) -> Bool)?
    /// Collect the core's transcript ids from its COPY block (for patient parts scanned later).
    var collectsTranscripts = false
    private var transcripts = Set<String>()
    private let row = RowBuffer()

    /// Follows one part line by line. Outside COPY data a line is SQL; a `COPY ... FROM stdin;`
    /// line starts a block whose data lines must have the header's column count, up to the `\.`
    /// line that ends it.
    mutating func read(_ lines: LineReader, part: String) throws {
        var copy: (table: String, schema: String?, name: String, columns: Int)?
        var patient = PatientPartFacts.schema(ofPart: part).map(PatientPartFacts.init)
        defer { if let patient { patientParts.append((part, patient)) } }
        let known = isKnownTranscript ?? (transcripts.isEmpty ? nil : { [transcripts] in transcripts.contains($0) })
        while let line = try lines.nextLine() {
            if let block = copy {
                if line.equals("\\.") {
                    copy = nil
                    continue
                }
                rows[block.table, default: 0] += 1
                var fields = 1
                for byte in line where byte == ASCII.tab { fields += 1 }
                if fields != block.columns {
                    problem("\(part):\(lines.lineNumber): \(fields) fields in a row of \(block.table), which has \(block.columns) columns")
                }
                if line.contains(ASCII.carriageReturn) { problem("\(part):\(lines.lineNumber): a raw carriage return in a row of \(block.table)") }
                if block.table == "schema_versions" {
                    versions.append(String(decoding: line.prefix { $0 != ASCII.tab }, as: UTF8.self))
                } else if patient != nil || (collectsTranscripts && block.table == "transcripts") {
                    row.reset()
                    _ = CopyText.decodeLine(line, into: row)
                    if patient != nil {
                        patient!.row(row, table: block.name, isKnownTranscript: known)
                    } else if let id = row.string(0) {
                        transcripts.insert(id)
                    }
                }
                continue
            }
            if let offset = Self.metaCommandOffset(line) {
                problem("\(part):\(lines.lineNumber): a backslash outside quotes (a psql meta-command) at byte \(offset)")
            }
            let text = String(decoding: line, as: UTF8.self)
            patient?.sqlLine(text)
            if text.hasPrefix("COPY ") {
                guard let tokens = try? SQLStatements.tokens(text), tokens.last == .symbol(";"),
                      let header = SQLStatements.parseCopy(Array(tokens.dropLast())), let columns = header.columns
                else {
                    problem("\(part):\(lines.lineNumber): a COPY line that is not COPY table (columns) FROM stdin;")
                    continue
                }
                let schema = header.name.schema
                let table = schema == nil || schema == "public" ? header.name.name : "\(schema!).\(header.name.name)"
                patient?.copyBlock(schema: schema, table: header.name.name)
                copy = (table, schema, header.name.name, columns.count)
                rows[table, default: 0] += 0
                blocks += 1
            } else if text.hasPrefix("CREATE TABLE ") || text.hasPrefix("CREATE MATERIALIZED VIEW ") {
                guard let tokens = try? SQLStatements.tokens(text) else { continue }
                let isView = text.hasPrefix("CREATE MATERIALIZED")
                var index = isView ? 3 : 2
                if let name = SQLStatements.qualifiedName(tokens, &index), name.schema == "public" {
                    if isView { createdViews.insert(name.name) } else { createdTables.insert(name.name) }
                }
            }
        }
        if let copy { problem("\(part): the COPY block of \(copy.table) is not ended by \\.") }
    }

    private mutating func problem(_ text: String) { problems.append(text) }

    /// Where a SQL line has a backslash outside a quoted identifier, a string or a `--` comment:
    /// psql would take it for a meta-command. The parts never need one.
    static func metaCommandOffset(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        var quote: UInt8?
        var index = 0
        while index < line.count {
            let byte = line[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == ASCII.quote || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == ASCII.minus, index + 1 < line.count, line[index + 1] == ASCII.minus {
                return nil
            } else if byte == ASCII.backslash {
                return index
            }
            index += 1
        }
        return nil
    }
}
