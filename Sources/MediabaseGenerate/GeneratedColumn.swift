import MediabaseBytes
/// The 27 columns of the legacy `cancer_transcript_base` table (docs/spec.md §3.1) as the generator
/// writes them: name, SQL definition, how values are encoded, and whether the value belongs to
/// the transcript or is a gene-level value copied into every row of the gene.
enum GeneratedColumn: Int, CaseIterable {
    case transcriptId, geneSymbol, geneId, geneType, chromosome, coordinates, productType, goTerms, pathways, drugs,
         drugScores, expressionFoldChange, expressionFreq, cancerTypes, features, molecularFunctions, cellularLocation,
         uniprotIds, ncbiIds, refseqIds, pdbIds, altTranscriptIds, altGeneIds, sourceReferences, pharmgkbPathways,
         pharmgkbVariants, evidenceQualityMetrics

    /// How a value is written in an INSERT statement: numbers and booleans bare, everything
    /// else quoted.
    enum Kind {
        case text, json, array, number
        /// Stored as `t` or `f` (COPY and CSV), written `true` or `false` in INSERT.
        case boolean
    }

    var name: String {
        switch self {
        case .transcriptId: return "transcript_id"
        case .geneSymbol: return "gene_symbol"
        case .geneId: return "gene_id"
        case .geneType: return "gene_type"
        case .chromosome: return "chromosome"
        case .coordinates: return "coordinates"
        case .productType: return "product_type"
        case .goTerms: return "go_terms"
        case .pathways: return "pathways"
        case .drugs: return "drugs"
        case .drugScores: return "drug_scores"
        case .expressionFoldChange: return "expression_fold_change"
        case .expressionFreq: return "expression_freq"
        case .cancerTypes: return "cancer_types"
        case .features: return "features"
        case .molecularFunctions: return "molecular_functions"
        case .cellularLocation: return "cellular_location"
        case .uniprotIds: return "uniprot_ids"
        case .ncbiIds: return "ncbi_ids"
        case .refseqIds: return "refseq_ids"
        case .pdbIds: return "pdb_ids"
        case .altTranscriptIds: return "alt_transcript_ids"
        case .altGeneIds: return "alt_gene_ids"
        case .sourceReferences: return "source_references"
        case .pharmgkbPathways: return "pharmgkb_pathways"
        case .pharmgkbVariants: return "pharmgkb_variants"
        case .evidenceQualityMetrics: return "evidence_quality_metrics"
        }
    }

    var kind: Kind {
        switch self {
        case .transcriptId, .geneSymbol, .geneId, .geneType, .chromosome: return .text
        case .productType, .pathways, .cancerTypes, .molecularFunctions, .cellularLocation, .uniprotIds, .ncbiIds,
             .refseqIds, .pdbIds:
            return .array
        case .expressionFoldChange: return .number
        default: return .json
        }
    }

    /// The column definition inside `CREATE TABLE`, as pg_dump prints it (defaults of the
    /// MEDIABASE schema, jsonb constants in jsonb's own key order).
    var definition: String {
        switch self {
        case .transcriptId: return "text NOT NULL"
        case .expressionFoldChange: return "double precision DEFAULT 1.0"
        case .expressionFreq: return "jsonb DEFAULT '{\"low\": [], \"high\": []}'::jsonb"
        case .sourceReferences:
            return "jsonb DEFAULT '{\"drugs\": [], \"uniprot\": [], \"go_terms\": [], \"pathways\": [], \"publications\": []}'::jsonb"
        case .features, .altTranscriptIds, .altGeneIds, .pharmgkbPathways, .pharmgkbVariants, .evidenceQualityMetrics:
            return "jsonb DEFAULT '{}'::jsonb"
        default:
            switch kind {
            case .text: return "text"
            case .json: return "jsonb"
            case .array: return name == "pathways" || name == "product_type" ? "text[]" : "text[] DEFAULT '{}'::text[]"
            case .number: return "double precision"
            case .boolean: return "boolean"
            }
        }
    }

    /// Whether the value describes the transcript; all other columns hold gene-level values
    /// copied into every row of the gene (the redundancy the normalizer removes).
    var isTranscriptLevel: Bool {
        switch self {
        case .transcriptId, .coordinates, .productType, .expressionFoldChange, .altTranscriptIds: return true
        default: return false
        }
    }

    /// `(transcript_id, gene_symbol, ...)`: the column list of COPY and INSERT statements.
    static let columnList = "(" + allCases.map(\.name).joined(separator: ", ") + ")"
}

/// A value of one field before it is encoded for a dump format.
enum FieldValue {
    case null
    case bytes([UInt8])
    /// Text containing one byte that is not valid UTF-8 (the planted row reject). The COPY
    /// form writes it as an octal escape, the INSERT form as an `E''` escape, CSV raw.
    case invalidUTF8(prefix: [UInt8], byte: UInt8, suffix: [UInt8])

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// One-dimensional `text[]` literals as PostgreSQL's `array_out` writes them.
enum TextArrayLiteral {
    /// `{a,"b c",NULL}`: nil elements are NULL, the others quoted when they need it.
    static func make(_ elements: [String?]) -> [UInt8] {
        make(bytes: elements.map { $0.map { Array($0.utf8) } })
    }

    static func make(bytes elements: [[UInt8]?]) -> [UInt8] {
        var out: [UInt8] = [0x7B]
        for (position, element) in elements.enumerated() {
            if position > 0 { out.append(0x2C) }
            if let element {
                ArrayLiteral.appendQuotedElement(element, to: &out)
            } else {
                out.append(literal: "NULL")
            }
        }
        out.append(0x7D)
        return out
    }
}
