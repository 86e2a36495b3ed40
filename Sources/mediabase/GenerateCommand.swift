import ArgumentParser
import Foundation
import MediabaseBytes
import MediabaseGenerate

/// `mediabase generate --seed N --genes N --out DIR`: a deterministic synthetic dataset.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic synthetic legacy dump, patient files and the facts a conversion must reproduce.",
        discussion: """
            The output folder holds the legacy database in each requested form (mbase.sql, \
            mbase.inserts.sql, cancer_transcript_base.csv), patients/ with one file per patient \
            in turn in every dialect (linear CSV, DESeq2 by gene id and by symbol, edgeR, limma, \
            TSV, a spreadsheet CSV with BOM and CRLF, a v0.5 per-patient dump) and the manifest \
            patients.csv, and expected.json: counts, planted problems with their lines, and spot \
            values, computed by the generator itself. The same seed and flags give the same bytes \
            on any machine and with any --threads; --genes 77114 gives about 385,000 rows, as the \
            real database has.

            By default a few row-level problems are planted (a row with invalid UTF-8, a drugs \
            value that is a JSON number, a transcript id repeated with another version); --clean \
            leaves them out.

            A fold-change table holds about 0.9 rows per transcript (transcript-level dialects) \
            or per gene (gene-level ones) of the core; --patient-rows N gives each exactly N data \
            rows instead, drawn evenly over the genes, topped up with ids the core lacks when the \
            core is too small (per-patient dumps still hold every transcript). \
            --patient-dialects limits the rotation, e.g. to leave out the per-patient dumps. \
            Without --patients there is one patient per dialect rotated through (eight by \
            default); --patients 0 writes none.

            Shapes of legacy data (both deterministic, both kept true in expected.json): \
            --row-order scattered spreads each gene's rows at random over the whole table, as a \
            heap looks after UPDATEs (in every form, the same order; per-patient dumps keep \
            theirs); --profile lean writes about 1.3 KB per row (a few GO terms, annotations \
            and publications per gene), --profile fat about 50 KB per row, as the real database \
            (a quarter of the genes with hundreds of KB of go_terms, source_references, features \
            and PharmGKB data per row).

            Example: mediabase generate --seed 7 --genes 2000 --patients 8 --formats plain,csv --out synthetic
            Example: mediabase generate --genes 77114 --patients 100 --patient-rows 60000 \
            --patient-dialects linear-csv,deseq2,deseq2-symbol,edger,limma,tsv,excel-csv --out bench
            """)

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Option(help: "Number of genes (each has one or more transcript rows, five on average).")
    var genes: Int

    @Option(help: "Output folder; refused if it exists and is not empty, unless --force.")
    var out: String

    @Option(help: ArgumentHelp("Number of patients (each gets one file; dialects rotate; default: one per dialect of --patient-dialects; 0: none).",
                               valueName: "n"))
    var patients: Int?

    @Option(help: ArgumentHelp("Data rows of every fold-change table (default: about 0.9 per transcript or gene of the core).",
                               valueName: "n"))
    var patientRows: Int?

    @Option(help: ArgumentHelp("Comma-separated dialects patients rotate through, in order (default: all eight: \(PatientDialect.allCases.map(\.rawValue).joined(separator: ","))).",
                               valueName: "list"))
    var patientDialects: String?

    @Option(help: "Comma-separated forms of the legacy database: plain, inserts, csv.")
    var formats = "plain"

    // Optional so that the help text (and its golden file) says "the number of cores" instead
    // of this machine's count.
    @Option(help: "Worker threads (the output does not depend on it; default: the number of cores).")
    var threads: Int?

    @Option(help: "Annotation per legacy row: standard (about 8.8 KB), lean (about 1.3 KB), fat (about 50 KB).")
    var profile: DatasetProfile = .standard

    @Option(help: "Order of the legacy rows: generated (gene by gene) or scattered (each row at a seeded random place).")
    var rowOrder: RowOrder = .generated

    @Flag(help: "Plant no row-level problems.")
    var clean = false

    @Flag(help: "Replace an existing output folder.")
    var force = false

    func validate() throws {
        guard genes >= 0 else { throw ValidationError("--genes must not be negative") }
        guard (patients ?? 0) >= 0 else { throw ValidationError("--patients must not be negative") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let patientRows {
            guard patientRows >= 0, patientRows <= 10_000_000 else { throw ValidationError("--patient-rows must be between 0 and 10000000") }
            guard genes >= 1 else { throw ValidationError("--patient-rows needs --genes of at least 1") }
        }
        _ = try parsedFormats()
        _ = try parsedDialects()
    }

    private func parsedDialects() throws -> [PatientDialect] {
        guard let patientDialects else { return PatientDialect.allCases }
        let names = patientDialects.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let all = PatientDialect.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else { throw ValidationError("--patient-dialects needs at least one of \(all)") }
        var dialects: [PatientDialect] = []
        for name in names {
            guard let dialect = PatientDialect(rawValue: name) else {
                throw ValidationError("unknown dialect '\(name)' in --patient-dialects; use \(all)")
            }
            guard !dialects.contains(dialect) else { throw ValidationError("dialect '\(name)' is named twice in --patient-dialects") }
            dialects.append(dialect)
        }
        return dialects
    }

    private func parsedFormats() throws -> [LegacyDumpFormat] {
        let names = formats.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw ValidationError("--formats needs at least one of plain, inserts, csv") }
        return try names.map { name in
            guard let format = LegacyDumpFormat(rawValue: name) else {
                throw ValidationError("unknown format '\(name)' in --formats; use plain, inserts, csv")
            }
            return format
        }
    }

    func run() throws {
        // docs/spec.md §2: the command without --patients gives a dump and one patient file per dialect.
        let dialects = try parsedDialects()
        let options = GenerateOptions(seed: seed, genes: genes, patients: patients ?? dialects.count, formats: try parsedFormats(),
                                      threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, clean: clean, patientRows: patientRows,
                                      patientDialects: dialects, profile: profile, rowOrder: rowOrder)
        let started = Date()
        let facts = try DatasetGenerator(options: options).generate(into: out, replace: force) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let bytes = facts.files.values.reduce(Int64(0)) { $0 + $1.bytes }
        let megabytes = Double(bytes) / 1_000_000
        let summary = String(format: "generate: %d genes, %d legacy rows, %d transcripts, %d patient files; %.1f MB in %.1f s (%.0f MB/s) -> %@\n",
                             facts.normalized.genes, facts.legacy.rows, facts.normalized.transcripts, facts.patients.count,
                             megabytes, seconds, megabytes / seconds, out)
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

extension DatasetProfile: ExpressibleByArgument {}
extension RowOrder: ExpressibleByArgument {}
