import MediabaseBytes

/// A column of the legacy `cancer_transcript_base` table (docs/spec.md §3.1), in the order of the
/// 27-column form. Older and cleaned forms have subsets; columns are matched by name.
///
/// The one definition of the legacy columns: the normalizer, the inspector and the generator
/// add what each needs to it, in their own targets.
package enum LegacyColumn: Int, CaseIterable, Sendable {
    case transcriptId, geneSymbol, geneId, geneType, chromosome, coordinates, productType, goTerms,
         pathways, drugs, drugScores, expressionFoldChange, expressionFreq, cancerTypes, features,
         molecularFunctions, cellularLocation, uniprotIds, ncbiIds, refseqIds, pdbIds,
         altTranscriptIds, altGeneIds, sourceReferences, pharmgkbPathways, pharmgkbVariants,
         evidenceQualityMetrics

    /// The PostgreSQL types the legacy table uses.
    package enum ValueType: Sendable {
        case text, jsonb, textArray, doublePrecision
    }

    /// The column's name in the table.
    package var name: String { Self.names[rawValue] }

    /// The column's type in the 27-column form.
    package var type: ValueType {
        switch self {
        case .transcriptId, .geneSymbol, .geneId, .geneType, .chromosome: return .text
        case .productType, .pathways, .cancerTypes, .molecularFunctions, .cellularLocation, .uniprotIds, .ncbiIds,
             .refseqIds, .pdbIds:
            return .textArray
        case .expressionFoldChange: return .doublePrecision
        case .coordinates, .goTerms, .drugs, .drugScores, .expressionFreq, .features, .altTranscriptIds, .altGeneIds,
             .sourceReferences, .pharmgkbPathways, .pharmgkbVariants, .evidenceQualityMetrics:
            return .jsonb
        }
    }

    /// The JSON type its values should have (every jsonb column holds an object); nil: not JSON.
    package var json: JSONValueType? { type == .jsonb ? .object : nil }

    private static let names = [
        "transcript_id", "gene_symbol", "gene_id", "gene_type", "chromosome", "coordinates", "product_type", "go_terms",
        "pathways", "drugs", "drug_scores", "expression_fold_change", "expression_freq", "cancer_types", "features",
        "molecular_functions", "cellular_location", "uniprot_ids", "ncbi_ids", "refseq_ids", "pdb_ids",
        "alt_transcript_ids", "alt_gene_ids", "source_references", "pharmgkb_pathways", "pharmgkb_variants",
        "evidence_quality_metrics",
    ]
}

/// The legacy table as a whole.
package enum LegacyColumns {
    /// The legacy table's name.
    package static let tableName = "cancer_transcript_base"

    /// Every known column and the JSON type its values should have (nil: not JSON).
    package static let all: [(name: String, json: JSONValueType?)] = LegacyColumn.allCases.map { ($0.name, $0.json) }

    /// Names of the known columns.
    package static let names: Set<String> = Set(all.map(\.name))

    /// Whether `table` is the legacy table, in any schema, or a partition or inheritance child of
    /// it (a partitioned table's rows are in its partitions' data).
    package static func isLegacy(_ table: TableSchema) -> Bool { table.name == tableName || table.root == tableName }
}
