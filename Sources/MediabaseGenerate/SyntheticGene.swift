import MediabaseModel
/// One generated gene: its rows in gene order and the facts the generator knows about them,
/// which become the ground truth of `expected.json`.
struct SyntheticGene {
    let header: GeneHeader
    /// Gene-level values by column; the slots of transcript-level columns are unused.
    var fields: [FieldValue]
    var rows: [SyntheticRow]
    var facts: GeneFacts

    /// Distinct transcripts the converter keeps, ascending by number: duplicate rows merge.
    var acceptedTranscripts: [SyntheticRow] {
        rows.filter { $0.role == .transcript }.sorted { $0.number < $1.number }
    }

    /// The gene's value of a scalar column on `row`, after the row's planted conflict.
    func value(_ column: LegacyColumn, on row: SyntheticRow) -> FieldValue {
        if let override = row.override, override.column == column { return override.value }
        return fields[column.rawValue]
    }
}

/// One row of the legacy table.
struct SyntheticRow {
    enum Role: Equatable {
        /// The row of a transcript.
        case transcript
        /// A second row of a transcript under another version suffix (planted).
        case duplicate
        /// An extra row the converter must reject (planted).
        case invalidUTF8
    }

    /// Ways the dump mangles a transcript id that the id rules of docs/spec.md §4.1 undo.
    enum IdQuirk: String, Codable {
        case whitespace, lowerCasePrefix, databasePrefix
    }

    /// The Ensembl transcript number: the normalized id is `ENST` and these digits padded to 11.
    let number: Int
    let rawId: String
    let role: Role
    let start: Int
    let end: Int
    let coordinates: FieldValue
    let productType: FieldValue
    let altTranscriptIds: FieldValue
    /// A gene-level column whose value this row changes (a planted conflict).
    var override: (column: LegacyColumn, value: FieldValue)?
    /// Distinct non-NULL `product_type` elements.
    let productCount: Int
    /// Distinct (database, id) pairs in `alt_transcript_ids`.
    let crossReferenceCount: Int
    /// The version suffix of the raw id, if any.
    let version: Int?
    let quirk: IdQuirk?

    var transcriptId: String { GeneHeader.ensemblId("ENST", number) }
}

/// What a gene contributes to the normalized tables, in catalog indices (distinct, ascending),
/// so that distinct counts over all genes are unions of bit sets.
struct GeneFacts {
    /// The JSON shape of the `drugs` value.
    enum DrugShape: String, Codable, CaseIterable {
        case null, emptyObject, records, recordsWithPharmgkbData, nameArray, nameString, twiceEncoded, number
    }

    var drugShape = DrugShape.null
    /// Annotated with the heavy tier's tens to hundreds of KB per row.
    var heavy = false
    var drugCentral: [Int] = []
    var chembl: [Int] = []
    /// PharmGKB drugs (indices into the PharmGKB name catalog) from pathway reactions.
    var pharmgkbDrugs: [Int] = []
    /// Drugs known only by name (`drugs` as an array or a bare string).
    var namedDrugs: [Int] = []
    var reactome: [Int] = []
    var kegg: [Int] = []
    var wikiPathways: [Int] = []
    var unnamedPathways: [Int] = []
    var pharmgkbPathways: [Int] = []
    var goTerms: [Int] = []
    /// `gene_publications` rows: distinct (pmid, category) pairs.
    var publications = 0
    /// `gene_cross_references` rows: distinct (database, id) pairs.
    var geneCrossReferences = 0
    var molecularFunctions = 0
    var cellularLocations = 0
    var conflict: Conflict?

    /// A planted disagreement between the rows of a gene.
    struct Conflict {
        let field: PlantingPlan.ConflictField
        let geneValue: String
        let rowValue: String
        /// The value the dedup rule keeps: the one on the row with the smallest transcript id.
        let resolved: String
    }

    /// Pathway links of the gene: distinct pathways over all sources.
    var pathwayCount: Int {
        reactome.count + kegg.count + wikiPathways.count + unnamedPathways.count + pharmgkbPathways.count
    }

    /// Sorts and deduplicates the index lists.
    mutating func normalize() {
        for keyPath in [\GeneFacts.drugCentral, \.chembl, \.pharmgkbDrugs, \.namedDrugs, \.reactome, \.kegg,
                        \.wikiPathways, \.unnamedPathways, \.pharmgkbPathways, \.goTerms] {
            self[keyPath: keyPath] = Array(Set(self[keyPath: keyPath])).sorted()
        }
    }
}
