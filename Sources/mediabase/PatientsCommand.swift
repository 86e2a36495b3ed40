import ArgumentParser
import Foundation
import MediabasePatients
import MediabasePipeline

/// `mediabase patients FILE... --core CORE --to sqlite|bundle DIR`: patient fold-change files →
/// one sparse `patient_<id>.sqlite` per patient, or one bundle part per patient.
struct PatientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patients",
        abstract: "Normalize patient fold-change files into sparse per-patient SQLite files or bundle parts.",
        usage: "mediabase patients [FILE...] [--manifest FILE] --core CORE.sqlite --to sqlite|bundle DIR [options]",
        discussion: """
            Each FILE is a DESeq2, edgeR or limma result table, a linear fold-change CSV or TSV \
            (transcript_id,cancer_fold), or the pg_dump of a v0.5 per-patient database; gzip or \
            not. Ids (transcript ids, gene ids, symbols) are matched against the core; values of \
            exactly 1.0 are not stored. The patient id is --patient-id (one FILE), the manifest's \
            patient_id, or the file name without extensions, and must match \
            ^[A-Za-z][A-Za-z0-9_]{0,62}$: a patient whose id does not, or whose id another \
            patient shares but for case, is refused alone. Patients are processed in parallel; \
            each file appears only when complete and validated. The exit status is 1 when any \
            patient failed; report.json in DIR (in DIR/patients for a bundle) says which and why.

            --to bundle DIR writes patients/patient_<id>.sql.gz (CREATE SCHEMA patient_<id> and \
            its COPY blocks) into the core bundle DIR made by convert --to bundle from the same \
            core, and lists the parts in its manifest.json; its load.sh loads them after the core. \
            A DIR that does not exist becomes a patients-only bundle, loaded into a database \
            that already holds the core. Any other existing DIR is refused.

            Example:
              mediabase patients P1.deseq2.csv P2.tsv --core core.sqlite \\
                  --to sqlite patients/
              sqlite3 -cmd "ATTACH 'core.sqlite' AS public" \\
                  -cmd "ATTACH 'patients/patient_p1.sqlite' AS patient_p1"
              mediabase patients --manifest patients.csv --core core.sqlite \\
                  --to bundle core.bundle
              core.bundle/load.sh mediabase
            """)

    @Argument(help: ArgumentHelp("The patient files, then the output folder DIR.", valueName: "FILE... DIR"))
    var paths: [String] = []

    @Option(help: "The core SQLite made by convert that ids are matched against.")
    var core: String?

    @Option(help: "Output kind: sqlite (a folder of patient_<id>.sqlite files) or bundle (parts patients/patient_<id>.sql.gz added to the core bundle DIR, or to a new patients-only bundle when DIR does not exist).")
    var to: OutputTarget

    @Option(help: "A CSV or JSON manifest: patient_id, file, cancer_type, cancer_subtype, tissue_type, sample_type, sequencing_platform, read_depth_millions, clinical_notes.")
    var manifest: String?

    @Option(help: "The patient id of a single FILE. Default: the file name without extensions.")
    var patientId: String?

    @Option(help: "The id column, when the header does not settle it (case-insensitive).")
    var idColumn: String?

    @Option(help: "The fold-change column, when the header does not settle it (case-insensitive).")
    var valueColumn: String?

    @Option(help: "The fold-change scale, linear or log2, when the column name does not say it.")
    var valueScale: FoldChangeScale?

    @Option(help: "The adjusted p-value column for --max-padj, when there are several.")
    var padjColumn: String?

    @Option(help: "Skip rows whose adjusted p-value is above this or missing.")
    var maxPadj: Double?

    @Option(help: "Rows giving one transcript different values: error (default), last, or mean (of the linear fold changes). Equal values are kept once.")
    var onDuplicate: DuplicatePolicy?

    @Option(help: "Gene ids and symbols map to the gene's canonical transcript (default) or all-transcripts.")
    var symbolMapping: SymbolMapping?

    @Option(help: "metadata.upload_date and the rows' created_at/updated_at. Default: 1970-01-01T00:00:00Z, for reproducible output.")
    var uploadDate: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name the output folder: mediabase patients FILE... --core CORE.sqlite --to sqlite DIR") }
        if let maxPadj, !(0...1).contains(maxPadj) { throw ValidationError("--max-padj must be between 0 and 1") }
    }

    func run() throws {
        var options = PatientBatchOptions(core: "", output: paths.last!)
        let config = try common.apply(to: &options)
        let core = try config.string("core", flag: core)
        options.manifest = try config.string("manifest", flag: manifest)
        options.patientId = try config.string("patient-id", flag: patientId)
        options.reading.idColumn = try config.string("id-column", flag: idColumn)
        options.reading.valueColumn = try config.string("value-column", flag: valueColumn)
        options.reading.valueScale = try config.choice("value-scale", flag: valueScale)
        options.reading.padjColumn = try config.string("padj-column", flag: padjColumn)
        options.reading.maxPadj = try config.double("max-padj", flag: maxPadj, in: 0...1)
        options.onDuplicate = try config.choice("on-duplicate", flag: onDuplicate) ?? .error
        options.symbolMapping = try config.choice("symbol-mapping", flag: symbolMapping) ?? .canonical
        if let date = try config.string("upload-date", flag: uploadDate) { options.uploadDate = date }
        try config.rejectUnknownKeys(of: "patients")
        guard let core else {
            throw ValidationError("name the core to match against with --core CORE.sqlite (made by mediabase convert)")
        }
        options.core = core
        options.target = to
        try options.checkCompressionLevel()
        options.files = Array(paths.dropLast())
        let report = try PatientBatch.run(options) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}

extension PatientBatchOptions: CommonSettings {}
extension FoldChangeScale: ExpressibleByArgument {}
extension DuplicatePolicy: ExpressibleByArgument {}
extension SymbolMapping: ExpressibleByArgument {}
