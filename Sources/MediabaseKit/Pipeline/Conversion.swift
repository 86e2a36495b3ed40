import Foundation

/// What `convert` writes.
public enum OutputTarget: String, CaseIterable, Sendable, Codable {
    case sqlite
    case bundle
}

/// Everything `mediabase convert` needs to know.
public struct ConversionOptions: Sendable {
    public var input: String
    public var output: String
    public var target: OutputTarget = .sqlite
    public var dryRun = false
    /// Rejects file; nil: `<output>.rejects.jsonl`.
    public var rejectsPath: String?
    /// nil: no limit.
    public var maxRejects: Int?
    /// nil: `report.json` in the output's folder (inside the bundle for a bundle).
    public var reportPath: String?
    public var progress: ProgressReporter.Mode = .auto
    public var threads = 1
    public var force = false
    /// `--memory-limit` in bytes (docs/spec.md §2): see ``MemoryBudget``.
    public var memoryLimit = MemoryBudget.defaultLimit
    /// Keep only these genes and what links to them; nil keeps everything.
    public var genes: GeneSelection?
    /// `schema_versions.applied_at`; fixed so that output is reproducible.
    public var appliedAt = "1970-01-01T00:00:00Z"

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}

/// The `report.json` of a conversion (docs/spec.md §2).
public struct ConversionReport: Codable, Sendable {
    public struct Input: Codable, Sendable {
        public var path: String
        public var format: String
        public var bytes: Int64?
        public var sha256: String
    }

    public var tool = "mediabase \(MediabaseVersion.current)"
    public var command = "convert"
    public var inputs: [Input] = []
    public var output: String
    public var target: OutputTarget
    public var dryRun: Bool
    public var rowsRead = 0
    /// With `--sample-genes`/`--genes`: the genes kept and the rows left out.
    public var subsetGenes: Int?
    public var subsetRowsDropped: Int?
    public var genes = 0
    public var transcripts = 0
    /// Legacy rows per distinct gene.
    public var redundancyRatio = 0.0
    public var rowsPerTable: [String: Int] = [:]
    public var normalization = NormalizationTally()
    public var rejectsFile: String?
    public var rejectsByReason: [String: Int] = [:]
    public var rejects = 0
    public var conflicts = 0
    /// Symbols that look wrong but belong to real Ensembl genes: kept, and listed here.
    public var suspiciousSymbols = SuspiciousSymbols()
    public var secondsPerStage: [String: Double] = [:]
    /// The steps of the index-and-views stage.
    public var secondsPerFinishStep: [String: Double] = [:]
    /// CPU seconds of the same steps: comparable across runs on a machine shared with others.
    public var cpuSecondsPerFinishStep: [String: Double] = [:]
    public var megabytesPerSecond = 0.0
    public var peakMemoryBytes: Int64 = 0
    /// `--memory-limit` in bytes, and how the normalizer's state fared against it.
    public var memoryLimitBytes: Int64 = 0
    public var spill = SpillTally()
    /// Peak resident memory so far at the end of each stage.
    public var peakMemoryAfterStage: [String: Int64] = [:]
    public var validation: [ValidationCheck] = []
}

/// Runs `convert`: read → normalize → write SQLite → validate → (export the bundle → validate it)
/// → rename into place.
public enum Conversion {
    /// Converts and returns the report (also written to disk). Throws on bad input, on a failed
    /// validation, or when the output exists without `force`; nothing is left at the target then.
    public static func run(_ options: ConversionOptions, log: (String) -> Void = { _ in }) throws -> ConversionReport {
        let started = Date()
        var stageStart = started
        let bundle = options.target == .bundle
        // `out/` and `out` are the same bundle; the rejects file goes beside it, not into it.
        let output = bundle ? trimmingTrailingSlashes(options.output) : options.output
        var report = ConversionReport(output: output, target: options.target, dryRun: options.dryRun)
        func stage(_ name: String) {
            let now = Date()
            report.secondsPerStage[name] = (now.timeIntervalSince(stageStart) * 1000).rounded() / 1000
            report.peakMemoryAfterStage[name] = ProcessMemory.peakBytes
            stageStart = now
        }

        let fileManager = FileManager.default
        let rejectsPath = options.dryRun ? nil : (options.rejectsPath ?? "\(output).rejects.jsonl")
        TemporaryOutputs.removeStale(of: [output] + (rejectsPath.map { [$0] } ?? []), log: log)
        if fileManager.fileExists(atPath: output), !options.force, !options.dryRun {
            throw MediabaseError.usage("\(output) exists; use --force to replace it")
        }
        let reader = try DumpReader.open(path: options.input)
        let outputFolder = splitPath(output).folder
        guard fileManager.fileExists(atPath: outputFolder) else {
            throw MediabaseError.io(path: outputFolder, message: "the output folder does not exist")
        }


        // What is built beside the target and renamed into place at the end: the SQLite file, or
        // the bundle folder. A bundle is exported from a SQLite core, a temporary of its own.
        let temporary = TemporaryOutputs.temporary(for: output)
        let coreFile = bundle ? "\(temporary).sqlite" : temporary
        for path in Set([temporary, coreFile]) {
            try? fileManager.removeItem(atPath: path)
            TemporaryOutputs.register(path)
        }
        defer {
            for path in Set([temporary, coreFile]) {
                try? fileManager.removeItem(atPath: path)
                TemporaryOutputs.unregister(path)
            }
        }
        let rejectsTemporary = rejectsPath.map(TemporaryOutputs.temporary(for:))
        let rejects = try RejectLog(path: rejectsTemporary, maxRejects: options.maxRejects, input: options.input)
        if let rejectsTemporary { TemporaryOutputs.register(rejectsTemporary) }
        defer {
            if let rejectsTemporary {
                try? fileManager.removeItem(atPath: rejectsTemporary)
                TemporaryOutputs.unregister(rejectsTemporary)
            }
        }

        // Carried tables keep the dump's text when the SQLite file only feeds a bundle.
        let writer = try SQLiteCoreWriter(path: coreFile, carriedValues: bundle ? .postgresText : .sqlite)
        // The input's SHA-256: the writer's thread hashes it a megabyte at a time whenever it
        // would wait for rows during the load (it is busy about 60 % of it); what is left is
        // hashed on a thread of its own after the load, beside the single-threaded index builds.
        // A folder (`-Fd`) is hashed then, whole.
        let partialDigest = reader.format.kind == .directory ? nil : try FileDigestInProgress(path: options.input)
        let threadedOutput = ThreadedCoreOutput(writer: writer, whileIdle: partialDigest.map { digest in { digest.step() } })
        defer { try? threadedOutput.close() }
        let normalizer = try LegacyNormalizer(output: threadedOutput, rejects: rejects, memory: MemoryBudget(limit: options.memoryLimit))
        let progress = ProgressReporter(mode: options.progress, label: "convert", total: reader.totalBytes) { reader.bytesRead }
        // An error's message must not continue a stage's line.
        defer { progress?.endStageLine() }
        var subset: GeneSubsetFilter?
        if let selection = options.genes {
            // First pass: which genes to keep; the second pass below reads only their rows.
            let planner = GeneSubsetPlanner(selection: selection)
            try DumpReader.open(path: options.input).read(into: planner)
            planner.finish()
            subset = GeneSubsetFilter(next: normalizer, chosen: planner.chosen)
            report.subsetGenes = planner.chosen.count
            stage("choose_genes")
        }
        let counter = RowCounter(next: subset ?? normalizer, progress: progress)
        try reader.read(into: counter)
        report.subsetRowsDropped = subset?.rowsDropped
        progress?.finish()
        stage("read_and_normalize")
        progress?.beginStage("writing the last rows")
        try normalizer.finish()
        try threadedOutput.close()
        // The writer's thread is done with the partial digest: it passes to a thread of its own.
        let digest = partialDigest.map { partial in DigestTask { try partial.finish() } } ?? DigestTask(path: options.input)
        stage("write_genes")
        // With the view tables built on two threads, the core is checked on a third connection
        // meanwhile (it no longer changes); only the view tables are checked afterwards.
        let coreChecks = CoreChecks()
        let checkCore: @Sendable () throws -> Void = {
            coreChecks.checks = try CoreValidator.validate(try SQLiteDatabase(path: coreFile, readOnly: true), thorough: false, viewTables: false)
        }
        try writer.finish(appliedAt: options.appliedAt, forQueries: !bundle, threads: options.threads, whileViewTablesAreBuilt: bundle ? nil : checkCore,
                         progress: progress)
        stage("index_and_views")
        report.secondsPerFinishStep = writer.secondsPerStep
        report.cpuSecondsPerFinishStep = writer.cpuSecondsPerStep
        for (step, bytes) in writer.peakMemoryAfterStep { report.peakMemoryAfterStage["index_and_views: \(step)"] = bytes }
        report.secondsPerFinishStep["load: producer waiting for the writer"] = (threadedOutput.producerWaitSeconds * 1000).rounded() / 1000
        report.secondsPerFinishStep["load: writer waiting for the producer"] = (threadedOutput.writerWaitSeconds * 1000).rounded() / 1000

        progress?.beginStage("looking for suspicious symbols")
        report.suspiciousSymbols = try SuspiciousSymbols.find(in: writer.database)
        let expectedCounts = writer.rowCounts
        progress?.beginStage("hashing the input (SHA-256)")
        let input = ConversionReport.Input(path: options.input, format: reader.format.description, bytes: reader.totalBytes, sha256: try digest.wait())
        if bundle {
            // The core is checked on a second connection while the bundle is exported: the checks
            // are single-threaded SQLite work, and compression keeps the other cores busy. A read
            // on the load's connection first gives up its exclusive lock (finish() went back to
            // the NORMAL locking mode, which takes effect at the next read).
            _ = try writer.database.scalar("SELECT count(*) FROM schema_versions")
            let coreChecks = BackgroundTask {
                try CoreValidator.validate(try SQLiteDatabase(path: coreFile, readOnly: true), expectedCounts: expectedCounts, thorough: false, viewTables: false)
            }
            progress?.beginStage("exporting the bundle (tables)", steps: SchemaFiles.postgresTables.count + writer.carriedTables.count)
            let manifestInput = BundleManifest.Input(name: splitPath(trimmingTrailingSlashes(options.input)).name, format: input.format, bytes: input.bytes, sha256: input.sha256)
            let exported = Result {
                try BundleWriter(database: writer.database, carriedTables: writer.carriedTables, threads: options.threads).write(to: temporary, inputs: [manifestInput], progress: progress)
            }
            report.validation = try coreChecks.wait()
            stage("validate_and_export_bundle")
            try requirePassed(report.validation)
            _ = try exported.get()
            progress?.beginStage("validating the bundle")
            let bundleChecks = try BundleValidator.validate(folder: temporary)
            report.validation += bundleChecks.map { ValidationCheck(name: "bundle_" + $0.name, passed: $0.passed, detail: $0.detail) }
            stage("validate_bundle")
            try requirePassed(bundleChecks)
        } else {
            progress?.beginStage("validating")
            if let checks = coreChecks.checks {
                report.validation = try CoreValidator.completeWithViewTables(checks, database: writer.database, expectedCounts: expectedCounts)
            } else {
                report.validation = try CoreValidator.validate(writer.database, expectedCounts: expectedCounts, thorough: false)
            }
            stage("validate")
            try requirePassed(report.validation)
        }

        let tally = normalizer.tally
        report.inputs = [input]
        report.rowsRead = counter.rows
        report.genes = tally.genes
        report.transcripts = tally.transcripts
        report.redundancyRatio = tally.genes == 0 ? 0 : (Double(tally.legacyRows) / Double(tally.genes) * 1000).rounded() / 1000
        report.rowsPerTable = writer.rowCounts
        report.normalization = tally
        report.rejectsByReason = rejects.countsByReason
        report.rejects = rejects.total
        report.rejectsFile = rejectsPath
        report.conflicts = tally.conflictingGenes
        let seconds = Date().timeIntervalSince(started)
        report.secondsPerStage["total"] = (seconds * 1000).rounded() / 1000
        report.megabytesPerSecond = ((Double(reader.totalBytes ?? 0) / 1e6 / max(seconds, 0.001)) * 10).rounded() / 10
        report.peakMemoryBytes = ProcessMemory.peakBytes
        report.memoryLimitBytes = options.memoryLimit
        report.spill = normalizer.spillTally

        try rejects.close()
        if rejects.total == 0 { report.rejectsFile = nil }
        // A bundle's report goes inside it (outside the manifest), written before the rename so
        // that the folder appears complete.
        let reportInBundle = bundle && !options.dryRun && options.reportPath == nil
        let reportPath = options.reportPath
            ?? (reportInBundle ? (output as NSString).appendingPathComponent("report.json") : (outputFolder as NSString).appendingPathComponent("report.json"))
        if reportInBundle { try ReportWriter.write(report, to: (temporary as NSString).appendingPathComponent("report.json")) }
        if !options.dryRun {
            try replace(output, with: temporary)
            TemporaryOutputs.unregister(temporary)
            if let rejectsPath {
                if fileManager.fileExists(atPath: rejectsPath) { try fileManager.removeItem(atPath: rejectsPath) }
                if rejects.total > 0, let rejectsTemporary { try fileManager.moveItem(atPath: rejectsTemporary, toPath: rejectsPath) }
            }
        }
        if !reportInBundle { try ReportWriter.write(report, to: reportPath) }
        progress?.end()
        log(summary(report))
        return report
    }

    /// Throws when a check failed, naming every failure.
    private static func requirePassed(_ checks: [ValidationCheck]) throws {
        let failed = checks.filter { !$0.passed }
        guard failed.isEmpty else {
            throw MediabaseError.usage("validation failed: " + failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))
        }
    }

    /// Puts the finished `temporary` (file or folder) at `target`. A file replaces an old file in
    /// one rename; an old folder (or anything a folder replaces) is first renamed aside, then
    /// removed, since rename(2) cannot put one kind over the other.
    private static func replace(_ target: String, with temporary: String) throws {
        let fileManager = FileManager.default
        var targetIsFolder: ObjCBool = false
        var newIsFolder: ObjCBool = false
        let exists = fileManager.fileExists(atPath: target, isDirectory: &targetIsFolder)
        _ = fileManager.fileExists(atPath: temporary, isDirectory: &newIsFolder)
        let aside = exists && (targetIsFolder.boolValue || newIsFolder.boolValue) ? TemporaryOutputs.aside(for: target) : nil
        if let aside, rename(target, aside) != 0 { throw MediabaseError.io(path: target, message: String(cString: strerror(errno))) }
        guard rename(temporary, target) == 0 else { throw MediabaseError.io(path: target, message: String(cString: strerror(errno))) }
        if let aside { try? fileManager.removeItem(atPath: aside) }
    }

    /// A path's folder (`.` when it names none) and last component. Not NSString's path methods:
    /// in swift-corelibs-foundation 6.3 they trap on some short relative paths (`b`, `abc`).
    static func splitPath(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// `out//` → `out`; `/` stays `/`.
    static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The short human summary printed on stderr at the end of a run.
    public static func summary(_ report: ConversionReport) -> String {
        var lines = [
            "\(report.dryRun ? "dry run: " : "")\(report.inputs.first?.path ?? "?") → \(report.output) (\(report.target.rawValue))",
            "  rows read \(report.rowsRead), genes \(report.genes), transcripts \(report.transcripts), redundancy \(report.redundancyRatio)",
            "  drugs \(report.normalization.drugs) (\(report.normalization.drugsBySource.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), pathways \(report.normalization.pathways), conflicts \(report.conflicts)",
            "  rejects \(report.rejects)" + (report.rejects > 0 ? " (\(report.rejectsByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))) in \(report.rejectsFile ?? "-")" : ""),
            "  \(report.secondsPerStage["total"] ?? 0) s, \(report.megabytesPerSecond) MB/s, peak memory \(ByteFormat.string(report.peakMemoryBytes))",
        ]
        if report.memoryLimitBytes > 0, report.peakMemoryBytes > report.memoryLimitBytes {
            lines.append("  peak memory is over --memory-limit \(ByteFormat.string(report.memoryLimitBytes)): what a run needs besides its state "
                         + "(about \(ByteFormat.string(MemoryBudget.fixedBytes)) while reading, more for the indexes and views) does not shrink with it")
        }
        if report.validation.allSatisfy(\.passed) { lines.append("  validation: \(report.validation.count) checks passed") }
        return lines.joined(separator: "\n")
    }
}

/// Counts rows on their way to the normalizer and drives the progress display.
final class RowCounter: DumpSink {
    private let next: DumpSink
    private let progress: ProgressReporter?
    private(set) var rows = 0

    init(next: DumpSink, progress: ProgressReporter?) {
        self.next = next
        self.progress = progress
    }

    func beginTable(_ table: TableSchema) throws { try next.beginTable(table) }

    func row(_ row: RowBuffer) throws {
        rows += 1
        progress?.tick()
        try next.row(row)
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { try next.endTable(table, rows: rows, bytes: bytes) }
}

/// Runs work on a thread of its own; ``wait()`` returns its result (as often as asked).
final class BackgroundTask<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the thread before `done` is signalled, read only after waiting on it.
    private var result: Result<Value, Error>?

    init(_ work: @escaping () throws -> Value) {
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    func wait() throws -> Value {
        done.wait()
        done.signal()
        return try result!.get()
    }
}

/// The core's checks, made on the third thread while the view tables are built; written
/// there before ``SQLiteCoreWriter/finish(appliedAt:forQueries:threads:whileViewTablesAreBuilt:)``
/// waits for that thread, read after it returns.
final class CoreChecks: @unchecked Sendable {
    var checks: [ValidationCheck]?
}

/// Computes a file's SHA-256 on a background thread.
typealias DigestTask = BackgroundTask<String>

extension BackgroundTask where Value == String {
    convenience init(path: String) { self.init { try FileDigest.sha256(path: path) } }
}

/// Writes reports as pretty JSON with sorted keys, atomically.
public enum ReportWriter {
    public static func write(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw MediabaseError.io(path: path, message: "cannot write the report: \(error.localizedDescription)")
        }
    }
}
