import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel
import MediabaseInput
import MediabaseOutput
import MediabasePatients

/// Everything `mediabase patients` needs to know.
package struct PatientBatchOptions: Sendable {
    /// Patient files named on the command line (ids from their names, or `patientId`).
    package var files: [String] = []
    /// A CSV or JSON manifest naming patients, files and clinical metadata.
    package var manifest: String?
    /// The id of the single patient file in `files`.
    package var patientId: String?
    /// The core SQLite made by `convert` that ids are matched against.
    package var core: String
    /// The output folder: of patient files (`sqlite`), or a bundle (see ``PatientBundle``).
    package var output: String
    package var target: OutputTarget = .sqlite
    package var dryRun = false
    /// Rejects file; nil: `rejects.jsonl` in the output folder (a bundle's `patients/`).
    package var rejectsPath: String?
    /// Per patient; nil: no limit.
    package var maxRejects: Int?
    /// nil: `report.json` in the output folder (a bundle's `patients/`; for a dry run, the
    /// bundle's parent folder).
    package var reportPath: String?
    package var progress: ProgressReporter.Mode = .auto
    /// Patients processed at the same time.
    package var threads = 1
    /// Replace existing patient files.
    package var force = false
    /// `--memory-limit` in bytes (docs/spec.md §2): see ``PatientMemory``.
    package var memoryLimit = MemoryBudget.defaultLimit
    /// `--compression-level`: the gzip level of a bundle's parts (nil: ``BundleWriter/defaultLevel``).
    package var compressionLevel: Int?
    package var reading = PatientReadOptions()
    package var onDuplicate = DuplicatePolicy.error
    package var symbolMapping = SymbolMapping.canonical
    /// `metadata.upload_date` and every row's `created_at` / `updated_at`; fixed by default so
    /// that the same input gives the same output.
    package var uploadDate = "1970-01-01T00:00:00Z"

    package init(core: String, output: String) {
        self.core = core
        self.output = output
    }
}

/// The `report.json` of a patient batch.
package struct PatientBatchReport: Codable, Sendable {
    package struct Input: Codable, Sendable {
        package var path: String
        package var format: String?
        package var bytes: Int64?
        package var sha256: String?
    }

    /// How a delimited file was read.
    package struct Dialect: Codable, Sendable, Equatable {
        package var delimiter: String
        package var idColumn: String
        package var valueColumn: String
        package var valueScale: FoldChangeScale
        package var padjColumn: String?

        init(_ dialect: PatientFileDialect) {
            delimiter = dialect.delimiterName
            idColumn = dialect.idColumnName
            valueColumn = dialect.valueColumnName
            valueScale = dialect.scale
            padjColumn = dialect.padjColumnName
        }
    }

    /// One patient's outcome.
    package struct Patient: Codable, Sendable {
        /// The id as given (for a refused patient possibly invalid, or empty when none was).
        package var patientId: String
        /// `patient_<id>`; nil for a refused patient (a bad id, or one another patient shares).
        package var schema: String?
        /// `ok` or `failed`.
        package var status: String
        /// Why the patient failed.
        package var error: String?
        package var input: Input
        /// The patient file written (nil for a dry run or a failure).
        package var output: String?
        /// The bundle part's SHA-256 and size (`--to bundle`), as the manifest lists them.
        package var outputSha256: String?
        package var outputBytes: Int64?
        package var fileFormat: String?
        package var normalizationMethod: String?
        package var dialect: Dialect?
        package var counts: PatientCounts?
        package var matchingSuccessRate: Double?
        /// The symbols several genes share that rows matched (`Metazoa_SRP`), as the core spells
        /// them: each such row's value went to every one of those genes.
        package var sharedSymbols: [String] = []
        package var rejects = 0
        package var rejectsByReason: [String: Int] = [:]
        package var validation: [ValidationCheck] = []
        package var seconds = 0.0
    }

    /// The flags that shape the output.
    package struct Settings: Codable, Sendable {
        package var onDuplicate: DuplicatePolicy
        package var symbolMapping: SymbolMapping
        package var idColumn: String?
        package var valueColumn: String?
        package var valueScale: FoldChangeScale?
        package var padjColumn: String?
        package var maxPadj: Double?
        package var maxRejectsPerPatient: Int?
        package var uploadDate: String
        package var threads: Int
    }

    package var tool = "mediabase \(MediabaseVersion.current)"
    package var command = "patients"
    package var core: Input
    package var coreTranscripts = 0
    package var coreGenes = 0
    package var output: String
    package var target: OutputTarget
    package var dryRun: Bool
    package var settings: Settings
    package var patients: [Patient] = []
    package var succeeded = 0
    /// Ids of the patients that failed.
    package var failed: [String] = []
    package var rowsRead = 0
    package var rowsStored = 0
    package var rejects = 0
    package var rejectsByReason: [String: Int] = [:]
    package var rejectsFile: String?
    package var secondsPerStage: [String: Double] = [:]
    package var filesPerSecond = 0.0
    package var rowsPerSecond = 0.0
    package var peakMemoryBytes: Int64 = 0
    /// `--memory-limit` in bytes, and where what grows with the core was kept (``PatientMemory``).
    package var memoryLimitBytes: Int64 = 0
    package var memory = Memory()

    /// Where the core's index and the patients' slots were kept: `memory`, or `file` (a
    /// temporary SQLite file, as the limit could not hold them).
    package struct Memory: Codable, Sendable, Equatable {
        package var coreIndex = "memory"
        package var patientSlots = "memory"
    }
}

/// Runs `patients`: checks every patient id, loads the core once, then normalizes the patients
/// in parallel, each into `patient_<id>.sqlite` or the bundle part `patients/patient_<id>.sql.gz`
/// written to a temporary file, validated and renamed into place. A failing patient does not
/// stop the others, nor does a patient refused for its id; the report names it and why.
/// Per-patient rejects are gathered into one rejects file in patient order; a bundle's manifest
/// is updated once, at the end.
package enum PatientBatch {
    /// Runs the batch and returns the report (also written to disk). Throws, before writing
    /// anything, on an unreadable manifest, an unusable core or existing outputs without
    /// `force`; patient failures, bad patient ids among them, are in the report instead.
    package static func run(_ options: PatientBatchOptions, log: (String) -> Void = { _ in }) throws -> PatientBatchReport {
        let started = Date()
        let requests = try patientList(options)
        let patients = requests.compactMap { if case let .accepted(patient) = $0 { patient } else { nil } }
        let fileManager = FileManager.default
        let bundle = options.target == .bundle ? try PatientBundle.open(options.output) : nil
        if bundle == nil, let kind = FileKind(at: options.output), kind != .directory {
            throw MediabaseError.usage("\(options.output) exists and is not a folder; patients --to sqlite writes a folder of patient files")
        }
        if !options.dryRun, !options.force {
            let existing = patients.map { outputPath($0, options, bundle) }.filter { fileManager.fileExists(atPath: $0) }
            if !existing.isEmpty {
                throw MediabaseError.usage("\(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); use --force to replace")
            }
        }
        let coreDigest = DigestTask(path: options.core)
        let memory = PatientMemory(limit: options.memoryLimit, transcripts: try CoreTranscriptIndex.countRows(path: options.core).transcripts,
                                   patientsAtOnce: min(options.threads, patients.count))
        let core: PatientCore
        if memory.coreInMemory {
            core = .memory(try CoreTranscriptIndex.load(path: options.core))
        } else {
            // Beside the output: every worker opens it (a private temporary database is one connection's).
            let index = Paths.trimmingTrailingSlashes(options.output) + ".core-index.sqlite"
            TemporaryOutputs.removeStale(of: [index], log: log)
            core = .file(try CoreTranscriptFile.build(core: options.core, at: TemporaryOutputs.temporary(for: index), cacheKilobytes: memory.cacheKilobytes))
        }
        defer { if case let .file(file) = core { file.remove() } }
        var report = PatientBatchReport(
            core: .init(path: options.core, format: "sqlite", bytes: fileSize(options.core), sha256: nil), coreTranscripts: core.transcriptCount,
            coreGenes: core.geneCount, output: options.output, target: options.target, dryRun: options.dryRun,
            settings: .init(onDuplicate: options.onDuplicate, symbolMapping: options.symbolMapping, idColumn: options.reading.idColumn,
                            valueColumn: options.reading.valueColumn, valueScale: options.reading.valueScale, padjColumn: options.reading.padjColumn,
                            maxPadj: options.reading.maxPadj, maxRejectsPerPatient: options.maxRejects, uploadDate: options.uploadDate, threads: options.threads))
        report.secondsPerStage["load_core"] = seconds(since: started)

        // Nothing has been written so far; from here on the folder is needed (a dry run of a
        // bundle leaves it alone: a new folder without a manifest would not be a bundle).
        if let bundle {
            if !options.dryRun { try bundle.createFolders() }
        } else {
            do {
                try fileManager.createDirectory(atPath: options.output, withIntermediateDirectories: true)
            } catch {
                throw MediabaseError.io(path: options.output, message: "cannot create the output folder: \(error.localizedDescription)")
            }
        }
        let rejectsPath = options.dryRun ? nil : (options.rejectsPath ?? bundle?.path(PatientBundle.rejectsName) ?? (options.output as NSString).appendingPathComponent("rejects.jsonl"))
        // What killed runs on these targets left (docs/spec.md §6): each patient's output, the rejects,
        // the bundle's manifest, and the parts a bundle dry run writes beside the bundle.
        TemporaryOutputs.removeStale(
            of: patients.map { outputPath($0, options, bundle) } + [rejectsPath, bundle?.path(BundleManifest.fileName), bundle.map { _ in options.output }].compactMap { $0 },
            log: log)
        let partPaths = patients.map { patient in rejectsPath.map { TemporaryOutputs.temporary(for: "\($0).\(patient.id.schemaName)") } }
        for path in partPaths.compactMap({ $0 }) { TemporaryOutputs.register(path) }
        defer {
            for path in partPaths.compactMap({ $0 }) {
                try? fileManager.removeItem(atPath: path)
                TemporaryOutputs.unregister(path)
            }
        }

        let processing = Date()
        let totalBytes = patients.reduce(Int64(0)) { $0 + (fileSize($1.file) ?? 0) }
        let bytesDone = Guarded<Int64>(0)
        let drawing = Guarded(())
        let progress = ProgressReporter(mode: options.progress, label: "patients", total: totalBytes) { bytesDone.withLock { $0 } }
        let outcomes = Guarded([PatientBatchReport.Patient?](repeating: nil, count: patients.count))
        parallelForEach(count: patients.count, threads: options.threads) { index in
            let patient = patients[index]
            let outcome = process(patient, core: core, memory: memory, options: options, bundle: bundle, rejectsPath: partPaths[index])
            outcomes.withLock { $0[index] = outcome }
            bytesDone.withLock { $0 += fileSize(patient.file) ?? 0 }
            drawing.withLock { _ in progress?.draw(final: false) }
        }
        progress?.finish()
        let processed = outcomes.withLock { $0.compactMap { $0 } }
        var next = processed.makeIterator()
        report.patients = requests.map { request in
            switch request {
            case .accepted: next.next()!
            case let .refused(refusal): refused(refusal)
            }
        }
        report.secondsPerStage["patients"] = seconds(since: processing)

        let gathering = Date()
        report.core.sha256 = try coreDigest.wait()
        for patient in report.patients {
            report.rowsRead += patient.counts?.rows ?? 0
            report.rejects += patient.rejects
            for (reason, count) in patient.rejectsByReason { report.rejectsByReason[reason, default: 0] += count }
            if patient.status == "ok" {
                report.succeeded += 1
                report.rowsStored += patient.counts?.stored ?? 0
            } else {
                report.failed.append(patient.patientId)
            }
        }
        if let rejectsPath {
            try gatherRejects(parts: partPaths.compactMap { $0 }, into: rejectsPath, any: report.rejects > 0)
            report.rejectsFile = report.rejects > 0 ? rejectsPath : nil
        }
        if let bundle, !options.dryRun {
            try bundle.updateManifest(adding: zip(patients, processed).compactMap { patient, outcome in
                guard outcome.status == "ok", let sha256 = outcome.outputSha256, let bytes = outcome.outputBytes else { return nil }
                return (BundleManifest.File(name: PatientBundleWriter.partName(patient.id), bytes: bytes, sha256: sha256), patient.id.schemaName, outcome.counts?.stored ?? 0)
            })
        }
        report.secondsPerStage["gather"] = seconds(since: gathering)
        let total = max(Date().timeIntervalSince(started), 0.001)
        report.secondsPerStage["total"] = (total * 1000).rounded() / 1000
        report.filesPerSecond = (Double(patients.count) / total * 100).rounded() / 100
        report.rowsPerSecond = (Double(report.rowsRead) / total).rounded()
        report.peakMemoryBytes = ProcessMemory.peakBytes
        report.memoryLimitBytes = options.memoryLimit
        report.memory = .init(coreIndex: memory.coreInMemory ? "memory" : "file", patientSlots: memory.slotsInMemory ? "memory" : "file")
        // The patients are encoded one at a time (a batch of thousands made the whole report's
        // encoding the run's peak of memory).
        var header = report
        header.patients = []
        try ReportWriter.write(header, to: options.reportPath ?? defaultReportPath(options, bundle), arrayAt: "patients", elements: report.patients)
        log(summary(report))
        return report
    }

    /// The patients of the run in order, every id checked: a bad id refuses its patient alone.
    /// Patients whose ids are equal but for case would share a schema and a file: every one of
    /// them is refused, since writing any would be a guess at which data the name should hold.
    static func patientList(_ options: PatientBatchOptions) throws -> [PatientRequest] {
        var requests = try options.manifest.map(PatientManifest.load) ?? []
        if let given = options.patientId {
            guard options.files.count == 1 else {
                throw MediabaseError.usage("--patient-id names the patient of a single FILE; with \(options.files.count) files, use a manifest or let the file names give the ids")
            }
            requests.append(request(id: given, file: options.files[0], origin: "--patient-id"))
        } else {
            for file in options.files {
                requests.append(request(id: CSVReader.stem(of: file), file: file, origin: "the file name \(PatientId.quoted(file))"))
            }
        }
        guard !requests.isEmpty else { throw MediabaseError.usage("no patients: name patient files or give --manifest") }
        var sharing: [String: [Int]] = [:]
        for (index, request) in requests.enumerated() {
            if case let .accepted(patient) = request { sharing[patient.id.lowercased, default: []].append(index) }
        }
        return requests.enumerated().map { index, request in
            guard case let .accepted(patient) = request, let group = sharing[patient.id.lowercased], group.count > 1 else { return request }
            let others = group.filter { $0 != index }.compactMap { other -> String? in
                guard case let .accepted(spec) = requests[other] else { return nil }
                return "\(PatientId.quoted(spec.id.value)) from \(spec.origin)"
            }
            return .refused(PatientRefusal(
                givenId: patient.id.value, file: patient.file, origin: patient.origin,
                reason: "patient id \(PatientId.quoted(patient.id.value)) from \(patient.origin) is refused: \(others.joined(separator: " and ")) also name\(others.count == 1 ? "s" : "") \(patient.id.schemaName) (ids equal but for case share a schema and a file); give each patient its own id"))
        }
    }

    /// A patient named on the command line, or refused for its id.
    private static func request(id: String, file: String, origin: String) -> PatientRequest {
        do {
            return .accepted(PatientSpec(id: try PatientId(id, origin: origin), file: file, origin: origin))
        } catch {
            return .refused(PatientRefusal(givenId: id, file: file, origin: origin, reason: error.localizedDescription))
        }
    }

    /// The outcome of a refused patient: failed, nothing read.
    private static func refused(_ refusal: PatientRefusal) -> PatientBatchReport.Patient {
        var outcome = PatientBatchReport.Patient(
            patientId: refusal.givenId, schema: nil, status: "failed",
            input: .init(path: refusal.file ?? "", format: nil, bytes: refusal.file.flatMap(fileSize), sha256: nil))
        outcome.error = refusal.reason
        return outcome
    }

    static func outputPath(_ patient: PatientSpec, _ options: PatientBatchOptions, _ bundle: PatientBundle?) -> String {
        bundle?.partPath(patient.id) ?? (options.output as NSString).appendingPathComponent(patient.id.sqliteFileName)
    }

    /// `report.json` in the output folder; for a bundle in its `patients/`, or, for a dry run,
    /// beside the bundle (as `convert --dry-run` does), which a dry run does not touch.
    private static func defaultReportPath(_ options: PatientBatchOptions, _ bundle: PatientBundle?) -> String {
        guard let bundle else { return (options.output as NSString).appendingPathComponent("report.json") }
        return options.dryRun ? (Paths.split(Paths.trimmingTrailingSlashes(options.output)).folder as NSString).appendingPathComponent("report.json") : bundle.path(PatientBundle.reportName)
    }

    /// Reads, matches, writes, validates and renames one patient; never throws: a failure is
    /// the outcome's `error`.
    static func process(_ patient: PatientSpec, core: PatientCore, memory: PatientMemory, options: PatientBatchOptions, bundle: PatientBundle?,
                        rejectsPath: String?) -> PatientBatchReport.Patient {
        let started = Date()
        var outcome = PatientBatchReport.Patient(
            patientId: patient.id.value, schema: patient.id.schemaName, status: "failed",
            input: .init(path: patient.file, format: nil, bytes: fileSize(patient.file), sha256: nil))
        let target = outputPath(patient, options, bundle)
        // A SQLite dry run writes to memory; a bundle part is a file even then, beside the
        // bundle, which a dry run leaves alone.
        let temporary: String? = switch (bundle != nil, options.dryRun) {
        case (false, true): nil
        case (true, true): TemporaryOutputs.temporary(for: "\(options.output).\(patient.id.schemaName).sql.gz")
        default: TemporaryOutputs.temporary(for: target)
        }
        var rejects: RejectLog?
        do {
            let log = try RejectLog(path: rejectsPath, maxRejects: options.maxRejects, input: patient.file, context: ["patient": patient.id.value, "file": patient.file])
            rejects = log
            let lookup: CoreLookup = switch core {
            case let .memory(index): .memory(index)
            case let .file(file): .file(try file.reader())
            }
            let expression = try PatientExpression(core: lookup, mapping: options.symbolMapping, onDuplicate: options.onDuplicate, maxPadj: options.reading.maxPadj,
                                                   rejects: log, file: patient.file, table: "\(patient.id.schemaName).expression_data",
                                                   slotsInFile: !memory.slotsInMemory, slotCacheKilobytes: memory.cacheKilobytes)
            // The input's digest is computed on another thread while it is read: a legacy dump
            // can be gigabytes, too much to read twice in a row.
            let digest = DigestTask(path: patient.file)
            let source: PatientSource
            do {
                source = try PatientFileReader.read(path: patient.file, options: options.reading, into: expression)
            } catch {
                outcome.counts = expression.counts
                outcome.sharedSymbols = expression.sharedSymbols
                throw error
            }
            outcome.counts = expression.counts
            outcome.sharedSymbols = expression.sharedSymbols
            outcome.input.format = source.format.description
            outcome.input.sha256 = try digest.wait()
            outcome.fileFormat = source.fileFormat
            outcome.normalizationMethod = source.normalizationMethod
            outcome.dialect = source.dialect.map(PatientBatchReport.Dialect.init)

            if let temporary {
                try? FileManager.default.removeItem(atPath: temporary)
                TemporaryOutputs.register(temporary)
            }
            defer {
                if let temporary {
                    try? FileManager.default.removeItem(atPath: temporary)
                    TemporaryOutputs.unregister(temporary)
                }
            }
            let written = try write(patient, expression: expression, source: source, sha256: outcome.input.sha256 ?? "", core: lookup,
                                    // SQLite's private temporary file ("") when the limit cannot hold the core.
                                    options: options, path: temporary ?? (memory.coreInMemory ? ":memory:" : ""))
            outcome.validation = written.checks
            outcome.outputSha256 = written.part?.sha256
            outcome.outputBytes = written.part?.bytes
            outcome.counts = expression.counts
            outcome.matchingSuccessRate = expression.counts.matchingSuccessRate
            let failed = outcome.validation.filter { !$0.passed }
            guard failed.isEmpty else {
                throw MediabaseError.validationFailed(failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))
            }
            try log.close()
            if !options.dryRun, let temporary {
                do throws(SystemCallError) {
                    try FileMove.rename(temporary, to: target)
                } catch {
                    throw MediabaseError.io(path: target, message: "cannot move the finished file into place: \(error.message)")
                }
                outcome.output = target
            }
            outcome.status = "ok"
        } catch {
            try? rejects?.close()
            outcome.error = error.localizedDescription
        }
        outcome.rejects = rejects?.total ?? 0
        outcome.rejectsByReason = rejects?.countsByReason ?? [:]
        outcome.seconds = seconds(since: started)
        return outcome
    }

    /// Writes the patient file or bundle part at `path` and validates it; the output is closed
    /// on return.
    /// - Returns: the checks and, for a bundle part, its SHA-256 and size.
    private static func write(_ patient: PatientSpec, expression: PatientExpression, source: PatientSource, sha256: String,
                              core: CoreLookup, options: PatientBatchOptions, path: String) throws -> (checks: [ValidationCheck], part: (sha256: String, bytes: Int64)?) {
        let bundleWriter = options.target == .bundle ? try PatientBundleWriter(path: path, patient: patient.id, timestamp: options.uploadDate,
                                                                                             level: OutputTarget.zlibLevel(options.compressionLevel)) : nil
        let writer: PatientWriter = try bundleWriter ?? PatientSQLiteWriter(path: path, timestamp: options.uploadDate)
        try expression.forEachStored { try writer.insert(transcriptId: $0, foldChange: $1) }
        let document = PatientMetadataDocument(
            counts: expression.counts, sharedSymbols: expression.sharedSymbols, dialect: source.dialect.map(PatientBatchReport.Dialect.init), manifest: patient.clinical.extra,
            input: .init(file: (patient.file as NSString).lastPathComponent, format: source.format.description, sha256: sha256),
            options: .init(onDuplicate: options.onDuplicate, symbolMapping: options.symbolMapping, maxPadj: options.reading.maxPadj),
            tool: "mediabase \(MediabaseVersion.current)")
        try writer.finish(metadata: PatientMetadata(
            patientId: patient.id.value, uploadDate: options.uploadDate, sourceFile: (patient.file as NSString).lastPathComponent,
            fileFormat: source.fileFormat, normalizationMethod: source.normalizationMethod, counts: expression.counts,
            clinical: patient.clinical, json: try document.encoded()))
        return (try writer.validate(core: core), bundleWriter?.digest)
    }

    /// Concatenates the per-patient rejects in patient order into `path` (written beside it and
    /// renamed); with no rejects at all, removes a stale `path` instead.
    private static func gatherRejects(parts: [String], into path: String, any: Bool) throws {
        let fileManager = FileManager.default
        guard any else {
            if fileManager.fileExists(atPath: path) { try fileManager.removeItem(atPath: path) }
            return
        }
        let temporary = TemporaryOutputs.temporary(for: path)
        TemporaryOutputs.register(temporary)
        defer {
            try? fileManager.removeItem(atPath: temporary)
            TemporaryOutputs.unregister(temporary)
        }
        guard fileManager.createFile(atPath: temporary, contents: nil), let output = FileHandle(forWritingAtPath: temporary) else {
            throw MediabaseError.io(path: temporary, message: "cannot create the rejects file")
        }
        defer { try? output.close() }
        for part in parts {
            guard let input = FileHandle(forReadingAtPath: part) else { continue }
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        }
        try output.close()
        do throws(SystemCallError) {
            try FileMove.rename(temporary, to: path)
        } catch {
            throw MediabaseError.io(path: path, message: "cannot move the rejects file into place: \(error.message)")
        }
    }

    /// The short human summary printed on stderr at the end of a run.
    package static func summary(_ report: PatientBatchReport) -> String {
        var lines = ["\(report.dryRun ? "dry run: " : "")\(report.patients.count) patient(s) → \(report.output) (\(report.target.rawValue)): \(report.succeeded) ok, \(report.failed.count) failed"]
        for patient in report.patients {
            if patient.status == "ok", let counts = patient.counts {
                lines.append("  \(patient.patientId): \(patient.fileFormat ?? "?"), rows \(counts.rows), skipped \(counts.skipped), matched \(counts.matched), unmatched \(counts.unmatched), stored \(counts.stored)"
                    + sharedSymbolNote(counts.sharedSymbolRows, patient.sharedSymbols))
            } else {
                // A refused id is shown quoted: it may hold anything.
                lines.append("  \(patient.schema == nil ? PatientId.quoted(patient.patientId) : patient.patientId): FAILED: \(patient.error ?? "unknown error")")
            }
        }
        lines.append("  rejects \(report.rejects)" + (report.rejects > 0 ? " (\(report.rejectsByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))) in \(report.rejectsFile ?? "-")" : ""))
        lines.append("  \(report.secondsPerStage["total"] ?? 0) s, \(report.filesPerSecond) files/s, \(Int(report.rowsPerSecond)) rows/s, peak memory \(ByteFormat.string(report.peakMemoryBytes))")
        if report.memory != .init() {
            lines.append("  --memory-limit \(ByteFormat.string(report.memoryLimitBytes)): the core's index in \(report.memory.coreIndex == "file" ? "a temporary file" : "memory"), "
                         + "each patient's values in \(report.memory.patientSlots == "file" ? "a temporary file" : "memory")")
        }
        if report.memoryLimitBytes > 0, report.peakMemoryBytes > report.memoryLimitBytes {
            lines.append("  peak memory is over --memory-limit \(ByteFormat.string(report.memoryLimitBytes)): what a run needs besides the core "
                         + "(about \(ByteFormat.string(PatientMemory.fixedBytes))) does not shrink with it")
        }
        return lines.joined(separator: "\n")
    }

    /// `, shared symbols: 3 row(s) (Metazoa_SRP, Y_RNA)`; a long list is cut after a few names.
    private static func sharedSymbolNote(_ rows: Int, _ symbols: [String]) -> String {
        guard rows > 0 else { return "" }
        let shown = symbols.prefix(5).joined(separator: ", ") + (symbols.count > 5 ? " and \(symbols.count - 5) more" : "")
        return ", shared symbols: \(rows) row(s) (\(shown)), each value given to every gene of its symbol"
    }

    /// A symbolic link's target's size (`stat`, not `lstat`).
    private static func fileSize(_ path: String) -> Int64? { FileIdentity.of(path)?.size }

    private static func seconds(since start: Date) -> Double { (Date().timeIntervalSince(start) * 1000).rounded() / 1000 }
}

/// `metadata_json`: everything about the patient's file the `metadata` columns do not hold.
/// Encoded with sorted snake_case keys and no timings, so the same input gives the same text.
struct PatientMetadataDocument: Encodable {
    struct Input: Encodable {
        var file: String
        var format: String
        var sha256: String
    }

    struct Options: Encodable {
        var onDuplicate: DuplicatePolicy
        var symbolMapping: SymbolMapping
        var maxPadj: Double?
    }

    var counts: PatientCounts
    /// See ``PatientBatchReport/Patient/sharedSymbols``.
    var sharedSymbols: [String]
    var dialect: PatientBatchReport.Dialect?
    /// Manifest columns with no `metadata` column of their own.
    var manifest: [String: String]
    var input: Input
    var options: Options
    var tool: String

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

