/// The contents of `expected.json`: what `mediabase generate` knows to be true about the files
/// it wrote, computed from its own model of the data (never by reading the files back), so
/// tests can hold a conversion against ground truth the converter did not produce.
///
/// Counts under `normalized` follow the rules of docs/spec.md §4.1: ids normalized, rows with the same
/// transcript id merged, planted row rejects left out, list values deduplicated per gene (or
/// transcript), drugs deduplicated by source and id (PharmGKB by case-folded name), pathways by
/// id (bracketless names by name).
package struct DatasetFacts: Codable, Equatable, Sendable {
    /// `mediabase generate`.
    package var generator: String
    /// Version of what the generator writes: raised whenever the same options start giving
    /// other bytes (so committed fixtures are regenerated), not with the tool's version.
    package var generatorVersion: Int
    package var seed: UInt64
    package var genesRequested: Int
    /// Whether `--clean` left out the planted row-level problems.
    package var clean: Bool
    /// `--patient-rows`, when given.
    package var patientRows: Int?
    /// `--patient-dialects`, when it names other dialects than all eight in their order.
    package var patientDialects: [String]?
    /// `--profile`, when not `standard`.
    package var profile: String?
    /// `--row-order`, when not `generated`.
    package var rowOrder: String?
    package var formats: [String]
    /// Every file written, by path relative to the output folder.
    package var files: [String: FileFacts]
    package var legacy: LegacyTableFacts
    package var normalized: NormalizedFacts
    package var planted: PlantedFacts
    package var symbols: SymbolFacts
    package var openTargets: OpenTargetsFacts
    package var spotChecks: SpotChecks
    package var patients: [PatientFacts]

    package struct FileFacts: Codable, Equatable, Sendable {
        package var bytes: Int64
        /// What the file holds: `legacy-plain`, `legacy-inserts`, `legacy-csv`, a patient
        /// dialect, `manifest`.
        package var content: String
    }

    /// The legacy table as written, before normalization.
    package struct LegacyTableFacts: Codable, Equatable, Sendable {
        /// Rows of `cancer_transcript_base`, planted rows included.
        package var rows: Int
        /// Distinct `gene_id` values as written (what `count(DISTINCT gene_id)` gives).
        package var distinctRawGeneIds: Int
        /// Distinct `transcript_id` values as written (every row: the primary key).
        package var distinctRawTranscriptIds: Int
        /// Rows per normalized gene.
        package var redundancyRatio: Double
        /// Non-NULL values per column.
        package var nonNullValues: [String: Int]
        /// Rows whose transcript id carries a version suffix.
        package var versionedTranscriptIds: Int
        /// Rows whose gene id carries a version suffix.
        package var versionedGeneIdRows: Int
        /// Rows whose transcript id has a leading or trailing space, a lower-case `ens`
        /// prefix or an `ensembl:` prefix.
        package var transcriptIdQuirks: [String: Int]
        /// Rows whose gene id has such a quirk.
        package var geneIdQuirkRows: Int
        /// Genes by the JSON shape of their `drugs` value.
        package var drugShapes: [String: Int]
        /// Rows whose `drugs` object holds the misplaced `pharmgkb_data` key (docs/spec.md §3.2).
        package var rowsWithPharmgkbInDrugs: Int
        package var genesWithPharmgkbInDrugs: Int
        /// Genes with very large JSONB annotations (the long tail of row sizes).
        package var heavyGenes: Int
    }

    /// What a correct conversion produces.
    package struct NormalizedFacts: Codable, Equatable, Sendable {
        package var genes: Int
        package var transcripts: Int
        /// Distinct drugs by source: `DrugCentral`, `ChEMBL`, `PharmGKB`, and `names` for
        /// drugs known only by name (a `drugs` array or bare string), by case-folded name.
        package var drugs: [String: Int]
        /// Distinct (gene, drug) pairs by source.
        package var geneDrugPairs: [String: Int]
        /// Distinct pathways by source: `Reactome`, `KEGG`, `WikiPathways`, `PharmGKB`, `unknown`.
        package var pathways: [String: Int]
        /// Distinct (gene, pathway) pairs over all sources.
        package var genePathways: Int
        package var goTerms: Int
        /// `transcript_go_terms` rows: every transcript carries its gene's GO terms.
        package var transcriptGoTerms: Int
        /// `gene_publications` rows: distinct (gene, pmid, category).
        package var genePublications: Int
        /// `gene_cross_references` rows: distinct (database, id) per gene over `uniprot_ids`,
        /// `ncbi_ids`, `refseq_ids`, `pdb_ids` and the entries of `alt_gene_ids` (keyed `HGNC`,
        /// `OMIM`, `HAVANA`, never a name the arrays also map to).
        package var geneCrossReferences: Int
        /// `transcript_cross_references` rows: distinct (database, id) per transcript in
        /// `alt_transcript_ids`.
        package var transcriptCrossReferences: Int
        /// `gene_annotations` rows by kind: `molecular_function`, `cellular_location`.
        package var geneAnnotations: [String: Int]
        package var transcriptProducts: Int
        /// Genes whose rows disagree on a scalar attribute.
        package var conflicts: Int
    }

    /// The problems planted on purpose, with their place in each written form.
    package struct PlantedFacts: Codable, Equatable, Sendable {
        /// Rows the converter must reject, with the reason.
        package var rowRejects: [RowEvent]
        /// Fields the converter must reject while keeping the row.
        package var fieldRejects: [RowEvent]
        /// Pairs of rows holding the same transcript under different version suffixes.
        package var duplicateTranscripts: [RowEvent]
        package var conflicts: [ConflictFacts]
        /// Gene ids by rare `drugs` shape: `nameArray`, `nameString`, `twiceEncoded`, `number`.
        package var drugShapeGenes: [String: [String]]
    }

    /// A planted row: which one and on which line of each legacy file (1-based).
    package struct RowEvent: Codable, Equatable, Sendable {
        package var reason: String
        package var column: String
        package var geneId: String
        /// The normalized transcript id.
        package var transcriptId: String
        /// The transcript id as written in the row(s).
        package var rawTranscriptIds: [String]
        /// Lines by format (`plain`, `inserts`, `csv`): one per row.
        package var lines: [String: [Int]]
    }

    package struct ConflictFacts: Codable, Equatable, Sendable {
        package var geneId: String
        package var field: String
        /// The value on every row but one.
        package var geneValue: String
        /// The value on the one disagreeing row.
        package var rowValue: String
        /// What the dedup rule keeps: the value on the row with the smallest transcript id.
        package var resolved: String
    }

    package struct SymbolFacts: Codable, Equatable, Sendable {
        /// Symbols carried by several genes (`Metazoa_SRP`, `Y_RNA`, ...) with their gene counts.
        package var shared: [String: Int]
        /// Genes whose symbol is a contig or clone name (`AC004556.1`).
        package var contigLike: Int
        /// Genes whose symbol mixes upper and lower case (`C1orf112`).
        package var mixedCase: Int
        package var missing: Int
    }

    package struct OpenTargetsFacts: Codable, Equatable, Sendable {
        package var rows: Int
        package var approved: Int
        package var distinctTargetGenes: Int
    }

    /// Values a conversion must reproduce exactly.
    package struct SpotChecks: Codable, Equatable, Sendable {
        package var genes: [GeneSpot]
    }

    package struct GeneSpot: Codable, Equatable, Sendable {
        package var geneId: String
        package var geneSymbol: String?
        package var geneType: String
        package var chromosome: String?
        package var startPosition: Int
        package var endPosition: Int
        package var strand: Int
        package var transcripts: Int
        /// The smallest transcript id: where gene-level patient values land.
        package var canonicalTranscript: String
        package var goTerms: Int
        package var pathways: Int
        package var publications: Int
        package var drugShape: String
    }

    /// One patient file and what matching it against the core gives (docs/spec.md §5.2, defaults:
    /// symbols case-insensitive, gene ids and symbols to the canonical transcript, which is the
    /// smallest transcript id since the legacy table has no support level). Symbol files only
    /// name genes whose symbol is theirs alone, so no row is ambiguous; no file repeats an id.
    package struct PatientFacts: Codable, Equatable, Sendable {
        package var patientId: String
        package var file: String
        package var dialect: String
        /// `linear` or `log2`.
        package var valueScale: String
        /// What identifies a row: `transcript`, `gene` or `symbol`.
        package var idKind: String
        package var cancerType: String
        /// Data rows in the file.
        package var rows: Int
        /// Rows with `NA` or an empty value.
        package var skipped: Int
        package var matched: Int
        package var unmatched: Int
        /// Matched rows whose linear value is not 1.0: the rows of the sparse schema.
        package var stored: Int
        package var spotValues: [PatientSpot]
    }

    package struct PatientSpot: Codable, Equatable, Sendable {
        /// The id as written in the file.
        package var id: String
        /// The core transcript it matches.
        package var transcriptId: String
        /// The value as written (log2 for log2 files).
        package var value: String
        /// Whether the row is stored in the sparse schema (its linear value is not 1.0).
        package var stored: Bool
    }
}
