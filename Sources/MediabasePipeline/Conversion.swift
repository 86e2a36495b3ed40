import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseSQLite
import MediabaseModel
import MediabaseInput
import MediabaseLegacy
import MediabaseOutput
import MediabaseValidate

/// What `convert` writes.
package enum OutputTarget: String, CaseIterable, Sendable, Codable {
    case sqlite
    case bundle
}

extension OutputTarget {
    /// The gzip levels `--compression-level` takes.
    package static let compressionLevels = 1...9
    /// A bundle's level when `--compression-level` is not given.
    package static var defaultCompressionLevel: Int { Int(BundleWriter.defaultLevel) }
    /// The zlib level of `--compression-level` as given (nil: the default).
    static func zlibLevel(_ requested: Int?) -> Int32 { Int32(requested ?? defaultCompressionLevel) }
}

/// Everything `mediabase convert` needs to know.
package struct ConversionOptions: Sendable {
    package var input: String
    package var output: String
    package var target: OutputTarget = .sqlite
    package var dryRun = false
    /// Rejects file; nil: `<output>.rejects.jsonl`.
    package var rejectsPath: String?
    /// nil: no limit.
    package var maxRejects: Int?
    /// nil: `report.json` in the output's folder (inside the bundle for a bundle).
    package var reportPath: String?
    package var progress: ProgressReporter.Mode = .auto
    package var threads = 1
    package var force = false
    /// `--memory-limit` in bytes (docs/spec.md §2): see ``MemoryBudget``.
    package var memoryLimit = MemoryBudget.defaultLimit
    /// `--compression-level`: the gzip level of a bundle's parts (nil: ``BundleWriter/defaultLevel``).
    package var compressionLevel: Int?
    /// Keep only these genes and what links to them; nil keeps everything.
    package var genes: GeneSelection?
    /// `schema_versions.applied_at`; fixed so that output is reproducible.
    package var appliedAt = "1970-01-01T00:00:00Z"

    package init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}

/// The `report.json` of a conversion (docs/spec.md §2).
package struct ConversionReport: Codable, Sendable {
    package struct Input: Codable, Sendable {
        package var path: String
        package var format: String
        package var bytes: Int64?
        package var sha256: String
    }

    package var tool = "mediabase \(MediabaseVersion.current)"
    package var command = "convert"
    package var inputs: [Input] = []
    package var output: String
    package var target: OutputTarget
    package var dryRun: Bool
    package var rowsRead = 0
    /// With `--sample-genes`/`--genes`: the genes kept and the rows left out.
    package var subsetGenes: Int?
    package var subsetRowsDropped: Int?
    package var genes = 0
    package var transcripts = 0
    /// Legacy rows per distinct gene.
    package var redundancyRatio = 0.0
    package var rowsPerTable: [String: Int] = [:]
    package var normalization = NormalizationTally()
    package var rejectsFile: String?
    package var rejectsByReason: [String: Int] = [:]
    package var rejects = 0
    package var conflicts = 0
    /// Symbols that look wrong but belong to real Ensembl genes: kept, and listed here.
    package var suspiciousSymbols = SuspiciousSymbols()
    /// See ``DumpInfo/endsEarlyAtLine``: also a warning in the summary.
    package var inputEndsEarlyAtLine: Int?
    /// Carried tables of a dump that declared none of their columns' types (no `CREATE TABLE`
    /// before the data: a `--data-only` dump), carried as text; nil when there are none.
    package var untypedCarriedTables: [String]?
    package var secondsPerStage: [String: Double] = [:]
    /// The steps of the index-and-views stage.
    package var secondsPerFinishStep: [String: Double] = [:]
    /// CPU seconds of the same steps: comparable across runs on a machine shared with others.
    package var cpuSecondsPerFinishStep: [String: Double] = [:]
    package var megabytesPerSecond = 0.0
    package var peakMemoryBytes: Int64 = 0
    /// `--memory-limit` in bytes, and how the normalizer's state fared against it.
    package var memoryLimitBytes: Int64 = 0
    /// The gzip level of a bundle's parts (`--compression-level`); nil for a SQLite output.
    package var compressionLevel: Int?
    package var spill = SpillTally()
    /// Peak resident memory so far at the end of each stage.
    package var peakMemoryAfterStage: [String: Int64] = [:]
    package var validation: [ValidationCheck] = []
}

/// Runs `convert`: read → normalize → write SQLite → validate → (export the bundle → validate it)
/// → rename into place.
package enum Conversion {
    /// Converts and returns the report (also written to disk). Throws on bad input, on a failed
    /// validation, or when the output exists without `force`; nothing is left at the target then.
    package static func run(_ options: ConversionOptions, log: (String) -> Void = { _ in }) throws -> ConversionReport {
        let started = Date()
        var stageStart = started
        // What a step builds and gives up must not stay in the peak beside the next one.
        ProcessMemory.returnLargeBlocksWhenFreed()
        let bundle = options.target == .bundle
        // `out/` and `out` are the same bundle; the rejects file goes beside it, not into it.
        let output = bundle ? Paths.trimmingTrailingSlashes(options.output) : options.output
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
        let outputFolder = Paths.split(output).folder
        guard fileManager.fileExists(atPath: outputFolder) else {
            throw MediabaseError.io(path: outputFolder, message: "the output folder does not exist")
        }
        if !options.dryRun, let reason = FileKind.whyNotWritable(outputFolder) {
            throw MediabaseError.io(path: outputFolder, message: "cannot create the output in this folder: \(reason)")
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
            // SQLite removes its WAL and shared-memory files when the last connection closes,
            // but not after a failed checkpoint (a full disk): nothing of a failed run may stay.
            for suffix in ["-wal", "-shm", "-journal"] { OutputFile.remove(coreFile + suffix) }
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
        writer.viewScanCacheKiB = MemoryBudget(limit: options.memoryLimit).viewScanCacheKilobytes
        writer.viewLookupLimitBytes = MemoryBudget(limit: options.memoryLimit).viewLookupBytes
        // One pool for the end steps' in-memory lookups and the core's key checks beside them.
        let endStepsPool = MemoryPool(bytes: MemoryBudget(limit: options.memoryLimit).endStepsPoolBytes)
        writer.endStepsPool = endStepsPool
        // The input's SHA-256: the writer's thread hashes it a megabyte at a time whenever it
        // would wait for rows during the load (it is busy about 60 % of it); what is left is
        // hashed on a thread of its own after the load, beside the single-threaded index builds.
        // A folder (`-Fd`) is hashed then, whole. Only the writer's thread steps the digest until
        // `close()` joins that thread; this one reads it only after.
        let partialDigest = reader.format.kind == .directory ? nil : try FileDigestInProgress(path: options.input)
        let threadedOutput = ThreadedCoreOutput(writer: writer, whileIdle: partialDigest.map { digest in { @Sendable in digest.step() } })
        defer { try? threadedOutput.close() }
        let normalizer = try LegacyNormalizer(output: threadedOutput, rejects: rejects, memory: MemoryBudget(limit: options.memoryLimit),
                                              scratchPath: coreFile)
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
        let counter = RowCounter(next: subset ?? normalizer, progress: progress, file: options.input) { reader.info.encoding }
        try reader.read(into: counter)
        report.subsetRowsDropped = subset?.rowsDropped
        progress?.finish()
        stage("read_and_normalize")
        progress?.beginStage("writing the last rows")
        try normalizer.finish()
        try threadedOutput.close()
        // The normalizer's state (gene states, cached GO terms) is freed by now.
        ProcessMemory.releaseFreePages()
        // The writer's thread is done with the partial digest: it passes to a thread of its own.
        let digest = partialDigest.map { partial in DigestTask { try partial.finish() } } ?? DigestTask(path: options.input)
        stage("write_genes")
        // With the end steps on several connections, the core is checked on a connection of its
        // own: once its indexes are committed, while the view tables are built (then only they
        // are checked afterwards); for a bundle, as soon as the export starts, beside it, and
        // against every table's count (the export outlasts them). A bundle's keys are
        // checked on its rows (BundleKeyCheck), not on the core it is exported from.
        let coreChecks = Guarded<[ValidationCheck]?>(nil)
        // The key checks that need no index run on the connection opened before the indexes
        // when it has time left, else with the other checks.
        let indexFreeKeyChecks = SharedWork {
            try CoreValidator.indexFreeKeyChecks(try SQLiteDatabase(path: coreFile, readOnly: true), keySets: endStepsPool)
        }
        let checkCore: @Sendable (_ counts: [String: Int]) throws -> Void = { counts in
            let checks = try CoreValidator.validate(try SQLiteDatabase(path: coreFile, readOnly: true), expectedCounts: bundle ? counts : [:],
                                                    thorough: false, viewTables: false, keys: !bundle, keySets: endStepsPool,
                                                    indexFreeKeyChecks: indexFreeKeyChecks.value)
            coreChecks.withLock { $0 = checks }
        }
        let checksBesideExport = Guarded<BackgroundTask<Void>?>(nil)
        // A bundle is exported on a connection of its own as soon as the merged tables are
        // committed (its core gets no index: the export reads the tables in rowid order), beside
        // the core's checks. The manifest, written last, waits for the input's digest. Its
        // outcome is looked at after the core's checks, whose failure is reported first.
        let exported = Guarded<Result<BundleManifest, Error>?>(nil)
        let carriedTables = writer.carriedTables
        let threads = options.threads
        let level = OutputTarget.zlibLevel(options.compressionLevel)
        let (inputName, inputFormat, inputBytes) = (Paths.split(Paths.trimmingTrailingSlashes(options.input)).name, reader.format.description, reader.totalBytes)
        let manifestInput = { @Sendable () throws -> [BundleManifest.Input] in
            [BundleManifest.Input(name: inputName, format: inputFormat, bytes: inputBytes, sha256: try digest.wait())]
        }
        let writeBundle: @Sendable (_ database: () throws -> SQLiteDatabase, _ progress: ProgressReporter?) -> Void = { database, progress in
            let outcome = Result {
                try BundleWriter(database: try database(), carriedTables: carriedTables, threads: threads, level: level)
                    .write(to: temporary, inputs: manifestInput, progress: progress)
            }
            exported.withLock { $0 = outcome }
        }
        let export = { (counts: [String: Int]) in
            let checks = BackgroundTask { try checkCore(counts) }
            checksBesideExport.withLock { $0 = checks }
            writeBundle({ try SQLiteDatabase(path: coreFile, readOnly: true) }, nil)
            // The core leaves WAL mode when this returns, which the checks' reads would block;
            // their outcome is looked at later.
            _ = try? checks.wait()
        }
        try writer.finish(appliedAt: options.appliedAt, forQueries: !bundle, threads: options.threads, onceIndexesAreCommitted: checkCore,
                         whileIndexesBuild: ("core key checks (while the indexes build)", { indexFreeKeyChecks.runUnlessStarted() }),
                         onceCommitted: bundle && options.threads > 1 ? ("exporting the bundle", export) : nil, progress: progress)
        stage("index_and_views")
        // A CSV's columns never have types: only a dump's missing declarations are worth a word.
        let untyped = reader.format.kind == .csv ? [] : writer.carriedTables.filter { table in table.columns.allSatisfy { $0.type == nil } }.map(\.source)
        report.untypedCarriedTables = untyped.isEmpty ? nil : untyped
        report.inputEndsEarlyAtLine = reader.info.endsEarlyAtLine
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
            // Unless they started with the export, the core is checked on a second connection
            // while the bundle is checked (both are single-threaded SQLite work). A read on the
            // load's connection first gives up its exclusive lock (finish() went back to the
            // NORMAL locking mode, which takes effect at the next read).
            _ = try writer.database.scalar("SELECT count(*) FROM schema_versions")
            let laterChecks = checksBesideExport.withLock { $0 } ?? BackgroundTask { try checkCore(expectedCounts) }
            if exported.withLock({ $0 }) == nil {
                // One thread: the export comes after the index builds, on the load's connection.
                progress?.beginStage("exporting the bundle (tables)", steps: SchemaFiles.postgresTables.count + writer.carriedTables.count)
                writeBundle({ writer.database }, progress)
            }
            let exportOutcome = exported.withLock { $0! }
            stage("validate_and_export_bundle")
            // A failed core check is reported before a failed export or bundle check.
            var bundleValidation = Result<[ValidationCheck], Error>.success([])
            if case .success = exportOutcome {
                progress?.beginStage("validating the bundle")
                bundleValidation = Result { try BundleValidator.validate(folder: temporary) }
            }
            try laterChecks.wait()
            report.validation = coreChecks.withLock { $0! }
            stage("validate_bundle")
            try requirePassed(report.validation)
            _ = try exportOutcome.get()
            let bundleChecks = try bundleValidation.get()
            report.validation += bundleChecks.map { ValidationCheck(name: "bundle_" + $0.name, passed: $0.passed, detail: $0.detail) }
            try requirePassed(bundleChecks)
        } else {
            progress?.beginStage("validating")
            if let checks = coreChecks.withLock({ $0 }) {
                report.validation = try CoreValidator.completeWithViewTables(checks, database: writer.database, expectedCounts: expectedCounts)
            } else {
                report.validation = try CoreValidator.validate(writer.database, expectedCounts: expectedCounts, thorough: false, keySets: endStepsPool)
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
        report.compressionLevel = bundle ? Int(level) : nil
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
            throw MediabaseError.validationFailed(failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))
        }
    }

    /// Puts the finished `temporary` (file or folder) at `target`. A file replaces an old file in
    /// one rename; an old folder (or anything a folder replaces) is first renamed aside, then
    /// removed, since rename(2) cannot put one kind over the other.
    private static func replace(_ target: String, with temporary: String) throws {
        let fileManager = FileManager.default
        let targetKind = FileKind(at: target)
        let aside = targetKind != nil && (targetKind == .directory || FileKind(at: temporary) == .directory) ? TemporaryOutputs.aside(for: target) : nil
        do throws(SystemCallError) {
            if let aside { try FileMove.rename(target, to: aside) }
            try FileMove.rename(temporary, to: target)
        } catch {
            throw MediabaseError.io(path: target, message: error.message)
        }
        if let aside { try? fileManager.removeItem(atPath: aside) }
    }

    /// The short human summary printed on stderr at the end of a run.
    package static func summary(_ report: ConversionReport) -> String {
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
        if let line = report.inputEndsEarlyAtLine { lines.append("  warning: \(DumpInfo.endsEarlyWarning(line: line))") }
        if let untyped = report.untypedCarriedTables {
            lines.append("  warning: the dump declares no column types for \(untyped.joined(separator: ", ")) (no CREATE TABLE before its data: "
                         + "a --data-only dump?): carried with every column as text")
        }
        if report.normalization.legacyRows == 0 {
            // A schema-only dump, or the rows under another name: the core is valid but empty.
            lines.append("  warning: no rows of \(LegacyColumns.tableName) (or of a partition or inheritance child of it) in the input: the core holds no genes")
        }
        if report.validation.allSatisfy(\.passed) { lines.append("  validation: \(report.validation.count) checks passed") }
        return lines.joined(separator: "\n")
    }
}

/// Counts rows on their way to the normalizer and drives the progress display.
final class RowCounter: DumpSink {
    private let next: DumpSink
    private let progress: ProgressReporter?
    private let file: String
    /// The dump's client encoding so far (nil: none declared, as in a CSV export).
    private let encoding: () -> String?
    private(set) var rows = 0

    init(next: DumpSink, progress: ProgressReporter?, file: String, encoding: @escaping () -> String?) {
        self.next = next
        self.progress = progress
        self.file = file
        self.encoding = encoding
    }

    func beginTable(_ table: TableSchema) throws {
        try Self.requireReadableEncoding(encoding(), file: file, table: table.qualifiedName)
        try next.beginTable(table)
    }

    /// Refuses a dump whose client encoding is not read as UTF-8 (``DumpInfo/readsAsUTF8(_:)``;
    /// bytes of a `SQL_ASCII` dump that are not UTF-8 are rejected row by row, `invalid_text`).
    /// Any other (`LATIN1`, `WIN1252`, ...) would turn every non-ASCII character into a reject,
    /// so the dump is refused before its first table.
    static func requireReadableEncoding(_ encoding: String?, file: String, table: String) throws {
        guard let encoding, !DumpInfo.readsAsUTF8(encoding) else { return }
        throw MediabaseError.unsupportedInput(
            SourceLocation(file: file, table: table),
            reason: "the dump's text is in \(encoding) (its client_encoding), and mediabase reads UTF-8: dump it again with "
                + "pg_dump --encoding=UTF8, which has the server convert the text, or convert this file without a server: "
                + "iconv -f \(encoding) -t UTF-8 DUMP | sed \"s/client_encoding = '\(encoding)'/client_encoding = 'UTF8'/\" > DUMP-utf8.sql "
                + "(an archive: pg_restore -f - DUMP | iconv ...)")
    }

    func row(_ row: RowBuffer) throws {
        rows += 1
        progress?.tick()
        try next.row(row)
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { try next.endTable(table, rows: rows, bytes: bytes) }
    func primaryKeyDeclared(_ table: TableSchema) throws { try next.primaryKeyDeclared(table) }
}

/// Computes a file's SHA-256 on a background thread.
typealias DigestTask = BackgroundTask<String>

extension BackgroundTask where Value == String {
    convenience init(path: String) { self.init { try FileDigest.sha256(path: path) } }
}

/// Writes reports as pretty JSON with sorted keys, atomically.
package enum ReportWriter {
    package static func write(_ value: some Encodable, to path: String) throws {
        var data = try makeEncoder().encode(value)
        data.append(0x0A)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw MediabaseError.io(path: path, message: "cannot write the report: \(error.localizedDescription)")
        }
    }

    /// Writes the bytes ``write(_:to:)`` writes for `value` with `elements` as the array of its
    /// top-level `key` (empty in `value`), encoding one element at a time: a batch's report of
    /// 10,000 patients (26 MB) took about 110 MB more to encode whole. The elements are placed
    /// as the encoder nests them (lines indented by 4 spaces, empty lines left empty); written
    /// to a temporary file renamed into place.
    package static func write(_ value: some Encodable, to path: String, arrayAt key: String, elements: some Sequence<some Encodable>) throws {
        let encoder = makeEncoder()
        var text = try encoder.encode(value)
        text.append(0x0A)
        // Only the top level's keys are indented by two spaces.
        let empty = Data("\n  \"\(key)\" : [\n\n  ]".utf8)
        guard let range = text.range(of: empty) else {
            throw MediabaseError.io(path: path, message: "the report has no empty top-level \"\(key)\" array to fill")
        }
        let temporary = TemporaryOutputs.temporary(for: path)
        TemporaryOutputs.register(temporary)
        defer { TemporaryOutputs.unregister(temporary) }
        do {
            let file = try OutputFile(creatingAt: temporary)
            try file.write(Array(text[..<range.lowerBound]).span)
            var separator = Array("\n  \"\(key)\" : [\n".utf8)
            var any = false
            for element in elements {
                var lines = separator
                for line in try encoder.encode(element).split(separator: 0x0A, omittingEmptySubsequences: false) {
                    if !line.isEmpty { lines += [0x20, 0x20, 0x20, 0x20] }
                    lines += line
                    lines.append(0x0A)
                }
                lines.removeLast()
                try file.write(lines.span)
                separator = Array(",\n".utf8)
                any = true
            }
            let end = any ? Array("\n  ]".utf8) : Array(empty)
            try file.write(end.span)
            try file.write(Array(text[range.upperBound...]).span)
            try file.close()
            try FileMove.rename(temporary, to: path)
        } catch {
            OutputFile.remove(temporary)
            switch error {
            case let error as MediabaseError: throw error
            case let error as SystemCallError: throw MediabaseError.io(path: path, message: "cannot write the report: \(error.message)")
            default: throw MediabaseError.io(path: path, message: "cannot write the report: \(error.localizedDescription)")
            }
        }
    }

    /// The reports' encoder: pretty JSON with sorted keys.
    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
