import ArgumentParser
import Foundation
import MediabaseModel
import MediabasePipeline

/// `mediabase convert INPUT --to sqlite FILE` / `--to bundle DIR`: the legacy dump → the
/// normalized core, as a SQLite file or as a gzip SQL bundle for PostgreSQL.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a legacy MEDIABASE dump or CSV export into the normalized core.",
        discussion: """
            INPUT is any pg_dump form (plain, --inserts, custom, directory, tar), gzip-compressed or not, \
            or a CSV export of cancer_transcript_base. The output is written to a temporary file \
            (or folder) beside the target and renamed into place only when it is complete and \
            validated. A bundle is a folder of .sql.gz parts with manifest.json and load.sh, which \
            loads it into PostgreSQL 12+ in one transaction; --threads compresses in parallel.

            Examples:
              mediabase convert mbase.dump --to sqlite core.sqlite --rejects rejects.jsonl
              mediabase convert mbase.dump --to bundle core.bundle
              core.bundle/load.sh mydb
            """)

    @Argument(help: "The legacy dump or CSV export: a file or folder (a pipe is refused, as the input is read more than once).")
    var input: String

    @Option(help: "Output kind: sqlite (a database file) or bundle (a folder for psql).")
    var to: OutputTarget

    @Argument(help: "The SQLite file or bundle folder to create.")
    var output: String

    @OptionGroup var common: CommonOptions

    @Option(help: "Keep a deterministic sample of N genes with all their transcripts and links.")
    var sampleGenes: Int?

    @Option(help: "The seed of --sample-genes (default 0).")
    var seed: UInt64?

    @Option(help: "Keep only these genes (comma-separated symbols or gene ids, case-insensitive).")
    var genes: String?

    func validate() throws {
        if let sampleGenes, sampleGenes < 1 { throw ValidationError("--sample-genes must be 1 or more") }
    }

    func run() throws {
        var options = ConversionOptions(input: input, output: output)
        options.target = to
        let config = try common.apply(to: &options)
        let sampleGenes = try config.int("sample-genes", flag: sampleGenes, atLeast: 1)
        let seed = try config.uint64("seed", flag: seed)
        let genes = try config.string("genes", flag: genes)
        try config.rejectUnknownKeys(of: "convert")
        try options.checkCompressionLevel()
        // Checked here rather than in validate(): either side may come from the config file.
        if sampleGenes != nil && genes != nil { throw ValidationError("--sample-genes and --genes exclude each other") }
        if seed != nil && sampleGenes == nil { throw ValidationError("--seed goes with --sample-genes") }
        if let sampleGenes {
            options.genes = .sample(count: sampleGenes, seed: seed ?? 0)
        } else if let genes {
            let names = genes.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw ValidationError("--genes needs at least one symbol or gene id") }
            options.genes = .named(names)
        }
        _ = try Conversion.run(options) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    }
}

extension OutputTarget: ExpressibleByArgument {}

/// Options every converting command shares (docs/spec.md §2, "Common options").
struct CommonOptions: ParsableArguments {
    @Flag(help: "Parse and validate everything, write nothing but the report.")
    var dryRun = false

    @Option(help: "Where row-level rejects go (JSON lines). Default: <output>.rejects.jsonl; for patients DIR/rejects.jsonl.")
    var rejects: String?

    @Option(help: "Stop after this many rejects (0: any reject is fatal; for patients, per patient). Default: no limit.")
    var maxRejects: Int?

    @Option(help: "Where report.json goes. Default: report.json in the output's folder.")
    var report: String?

    @OptionGroup var progressOptions: ProgressOptions

    @Option(help: "Worker threads. Default: the number of cores.")
    var threads: Int?

    @Option(help: "A YAML or JSON file with the same keys as these flags (e.g. max-rejects: 10); flags win; an unknown key or a bad value is an error.")
    var config: String?

    @Flag(help: "Replace an existing output.")
    var force = false

    @Option(help: ArgumentHelp("The gzip level of a bundle's parts, 1 (fastest) to 9 (smallest); --to bundle only. Default: \(OutputTarget.defaultCompressionLevel).",
                               valueName: "level"))
    var compressionLevel: Int?

    @Option(help: ArgumentHelp("What the run may keep in memory (300MB, 1.5GB, 512MiB, or bytes); the state beyond it waits in temporary files. Default: 300MB.",
                               valueName: "size"),
            transform: { try CommonOptions.memorySize($0) })
    var memoryLimit: Int64?

    /// SIZE of `--memory-limit` (docs/spec.md §2), at least ``MemoryBudget/minimumLimit``.
    static func memorySize(_ text: String) throws -> Int64 {
        guard let bytes = MemoryBudget.parseSize(text), bytes >= MemoryBudget.minimumLimit else {
            throw ValidationError("expected \(MemoryBudget.sizeExpected)")
        }
        return bytes
    }

    func validate() throws {
        if let maxRejects, maxRejects < 0 { throw ValidationError("--max-rejects must be 0 or more") }
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
        if let compressionLevel, !OutputTarget.compressionLevels.contains(compressionLevel) {
            throw ValidationError("--compression-level must be from 1 to 9")
        }
    }

    /// Fills `options` from the flags, then from the config file for keys not given as flags;
    /// returns the config file for the command's own keys (the command then calls
    /// ``ConfigFile/rejectUnknownKeys(of:)``).
    func apply<Settings: CommonSettings>(to options: inout Settings) throws -> ConfigFile {
        let config = try config.map(ConfigFile.init(path:)) ?? ConfigFile()
        options.dryRun = try config.bool("dry-run", flag: dryRun)
        options.rejectsPath = try config.string("rejects", flag: rejects)
        options.maxRejects = try config.int("max-rejects", flag: maxRejects, atLeast: 0)
        options.reportPath = try config.string("report", flag: report)
        options.progress = try config.choice("progress", flag: progressOptions.progressFlag) ?? progressOptions.progress
        options.threads = try config.int("threads", flag: threads, atLeast: 1) ?? ProcessInfo.processInfo.activeProcessorCount
        options.force = try config.bool("force", flag: force)
        options.memoryLimit = try config.size("memory-limit", flag: memoryLimit, expected: MemoryBudget.sizeExpected) {
            MemoryBudget.parseSize($0).flatMap { $0 >= MemoryBudget.minimumLimit ? $0 : nil }
        } ?? MemoryBudget.defaultLimit
        options.compressionLevel = try config.int("compression-level", flag: compressionLevel, in: OutputTarget.compressionLevels)
        return config
    }
}

/// The settings ``CommonOptions`` fills, shared by the options of every converting command.
protocol CommonSettings {
    var dryRun: Bool { get set }
    var rejectsPath: String? { get set }
    var maxRejects: Int? { get set }
    var reportPath: String? { get set }
    var progress: ProgressReporter.Mode { get set }
    var threads: Int { get set }
    var force: Bool { get set }
    /// `--memory-limit` in bytes (docs/spec.md §2).
    var memoryLimit: Int64 { get set }    /// `--compression-level` as given (nil: the default); a bundle's only.
    var compressionLevel: Int? { get set }
    var target: OutputTarget { get }
}

extension CommonSettings {
    /// Refuses `--compression-level` (flag or config key) for a SQLite output, which has no gzip parts.
    func checkCompressionLevel() throws {
        if compressionLevel != nil && target == .sqlite {
            throw ValidationError("--compression-level applies to --to bundle only")
        }
    }
}

extension ConversionOptions: CommonSettings {}
