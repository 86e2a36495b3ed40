/// The contents of `expected.json`: what `mediabase generate` knows to be true about the files
/// it wrote, computed from its own model of the data (never by reading the files back), so
/// tests can hold a conversion against ground truth the converter did not produce.
///
/// Counts under `normalized` follow the rules of docs/spec.md §4.1: ids normalized, rows with the same
/// transcript id merged, planted row rejects left out, list values deduplicated per gene (or
/// transcript), drugs deduplicated by source and id (PharmGKB by case-folded name), pathways by
/// id (bracketless names by name).
public struct DatasetFacts: Codable, Equatable, Sendable {
    /// `mediabase generate`.
    public var generator: String
    /// Version of what the generator writes: raised whenever the same options start giving
    /// other bytes (so committed fixtures are regenerated), not with the tool's version.
    public var generatorVersion: Int
    public var seed: UInt64
    public var genesRequested: Int
    /// Whether `--clean` left out the planted row-level problems.
    public var clean: Bool
    /// `--patient-rows`, when given.
    public var patientRows: Int?
    /// `--patient-dialects`, when it names other dialects than all eight in their order.
    public var patientDialects: [String]?
    /// `--profile`, when not `standard`.
    public var profile: String?
    /// `--row-order`, when not `generated`.
    public var rowOrder: String?
    public var formats: [String]
    /// Every file written, by path relative to the output folder.
    public var files: [String: FileFacts]
    public var legacy: LegacyTableFacts
    public var normalized: NormalizedFacts
    public var planted: PlantedFacts
    public var symbols: SymbolFacts
    public var openTargets: OpenTargetsFacts
    public var spotChecks: SpotChecks
    public var patients: [PatientFacts]

    public struct FileFacts: Codable, Equatable, Sendable {
        public var bytes: Int64
        /// What the file holds: `legacy-plain`, `legacy-inserts`, `legacy-csv`, a patient
        /// dialect, `manifest`.
        public var content: String
    }

    /// The legacy table as written, before normalization.
    public struct LegacyTableFacts: Codable, Equatable, Sendable {
        /// Rows of `cancer_transcript_base`, planted rows included.
        public var rows: Int
        /// Distinct `gene_id` values as written (what `count(DISTINCT gene_id)` gives).
        public var distinctRawGeneIds: Int
        /// Distinct `transcript_id` values as written (every row: the primary key).
        public var distinctRawTranscriptIds: Int
        /// Rows per normalized gene.
        public var redundancyRatio: Double
        /// Non-NULL values per column.
        public var nonNullValues: [String: Int]
        /// Rows whose transcript id carries a version suffix.
        public var versionedTranscriptIds: Int
        /// Rows whose gene id carries a version suffix.
        public var versionedGeneIdRows: Int
        /// Rows whose transcript id has a leading or trailing space, a lower-case `ens`
        /// prefix or an `ensembl:` prefix.
        public var transcriptIdQuirks: [String: Int]
        /// Rows whose gene id has such a quirk.
        public var geneIdQuirkRows: Int
        /// Genes by the JSON shape of their `drugs` value.
        public var drugShapes: [String: Int]
        /// Rows whose `drugs` object holds the misplaced `pharmgkb_data` key (docs/spec.md §3.2).
        public var rowsWithPharmgkbInDrugs: Int
        public var genesWithPharmgkbInDrugs: Int
        /// Genes with very large JSONB annotations (the long tail of row sizes).
        public var heavyGenes: Int
    }

    /// What a correct conversion produces.
    public struct NormalizedFacts: Codable, Equatable, Sendable {
        public var genes: Int
        public var transcripts: Int
        /// Distinct drugs by source: `DrugCentral`, `ChEMBL`, `PharmGKB`, and `names` for
        /// drugs known only by name (a `drugs` array or bare string), by case-folded name.
        public var drugs: [String: Int]
        /// Distinct (gene, drug) pairs by source.
        public var geneDrugPairs: [String: Int]
        /// Distinct pathways by source: `Reactome`, `KEGG`, `WikiPathways`, `PharmGKB`, `unknown`.
        public var pathways: [String: Int]
        /// Distinct (gene, pathway) pairs over all sources.
        public var genePathways: Int
        public var goTerms: Int
        /// `transcript_go_terms` rows: every transcript carries its gene's GO terms.
        public var transcriptGoTerms: Int
        /// `gene_publications` rows: distinct (gene, pmid, category).
        public var genePublications: Int
        /// `gene_cross_references` rows: distinct (database, id) per gene over `uniprot_ids`,
        /// `ncbi_ids`, `refseq_ids`, `pdb_ids` and the entries of `alt_gene_ids` (keyed `HGNC`,
        /// `OMIM`, `HAVANA`, never a name the arrays also map to).
        public var geneCrossReferences: Int
        /// `transcript_cross_references` rows: distinct (database, id) per transcript in
        /// `alt_transcript_ids`.
        public var transcriptCrossReferences: Int
        /// `gene_annotations` rows by kind: `molecular_function`, `cellular_location`.
        public var geneAnnotations: [String: Int]
        public var transcriptProducts: Int
        /// Genes whose rows disagree on a scalar attribute.
        public var conflicts: Int
    }

    /// The problems planted on purpose, with their place in each written form.
    public struct PlantedFacts: Codable, Equatable, Sendable {
        /// Rows the converter must reject, with the reason.
        public var rowRejects: [RowEvent]
        /// Fields the converter must reject while keeping the row.
        public var fieldRejects: [RowEvent]
        /// Pairs of rows holding the same transcript under different version suffixes.
        public var duplicateTranscripts: [RowEvent]
        public var conflicts: [ConflictFacts]
        /// Gene ids by rare `drugs` shape: `nameArray`, `nameString`, `twiceEncoded`, `number`.
        public var drugShapeGenes: [String: [String]]
    }

    /// A planted row: which one and on which line of each legacy file (1-based).
    public struct RowEvent: Codable, Equatable, Sendable {
        public var reason: String
        public var column: String
        public var geneId: String
        /// The normalized transcript id.
        public var transcriptId: String
        /// The transcript id as written in the row(s).
        public var rawTranscriptIds: [String]
        /// Lines by format (`plain`, `inserts`, `csv`): one per row.
        public var lines: [String: [Int]]
    }

    public struct ConflictFacts: Codable, Equatable, Sendable {
        public var geneId: String
        public var field: String
        /// The value on every row but one.
        public var geneValue: String
        /// The value on the one disagreeing row.
        public var rowValue: String
        /// What the dedup rule keeps: the value on the row with the smallest transcript id.
        public var resolved: String
    }

    public struct SymbolFacts: Codable, Equatable, Sendable {
        /// Symbols carried by several genes (`Metazoa_SRP`, `Y_RNA`, ...) with their gene counts.
        public var shared: [String: Int]
        /// Genes whose symbol is a contig or clone name (`AC004556.1`).
        public var contigLike: Int
        /// Genes whose symbol mixes upper and lower case (`C1orf112`).
        public var mixedCase: Int
        public var missing: Int
    }

    public struct OpenTargetsFacts: Codable, Equatable, Sendable {
        public var rows: Int
        public var approved: Int
        public var distinctTargetGenes: Int
    }

    /// Values a conversion must reproduce exactly.
    public struct SpotChecks: Codable, Equatable, Sendable {
        public var genes: [GeneSpot]
    }

    public struct GeneSpot: Codable, Equatable, Sendable {
        public var geneId: String
        public var geneSymbol: String?
        public var geneType: String
        public var chromosome: String?
        public var startPosition: Int
        public var endPosition: Int
        public var strand: Int
        public var transcripts: Int
        /// The smallest transcript id: where gene-level patient values land.
        public var canonicalTranscript: String
        public var goTerms: Int
        public var pathways: Int
        public var publications: Int
        public var drugShape: String
    }

    /// One patient file and what matching it against the core gives (docs/spec.md §5.2, defaults:
    /// symbols case-insensitive, gene ids and symbols to the canonical transcript, which is the
    /// smallest transcript id since the legacy table has no support level). Symbol files only
    /// name genes whose symbol is theirs alone, so no row is ambiguous; no file repeats an id.
    public struct PatientFacts: Codable, Equatable, Sendable {
        public var patientId: String
        public var file: String
        public var dialect: String
        /// `linear` or `log2`.
        public var valueScale: String
        /// What identifies a row: `transcript`, `gene` or `symbol`.
        public var idKind: String
        public var cancerType: String
        /// Data rows in the file.
        public var rows: Int
        /// Rows with `NA` or an empty value.
        public var skipped: Int
        public var matched: Int
        public var unmatched: Int
        /// Matched rows whose linear value is not 1.0: the rows of the sparse schema.
        public var stored: Int
        public var spotValues: [PatientSpot]
    }

    public struct PatientSpot: Codable, Equatable, Sendable {
        /// The id as written in the file.
        public var id: String
        /// The core transcript it matches.
        public var transcriptId: String
        /// The value as written (log2 for log2 files).
        public var value: String
        /// Whether the row is stored in the sparse schema (its linear value is not 1.0).
        public var stored: Bool
    }
}
