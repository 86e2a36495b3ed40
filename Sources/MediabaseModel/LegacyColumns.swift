import MediabaseBytes
/// The columns of the legacy `cancer_transcript_base` table (docs/spec.md §3.1), in the order of the
/// 27-column form. Older and cleaned forms have subsets; columns are matched by name.
package enum LegacyColumns {
    /// The legacy table's name.
    package static let tableName = "cancer_transcript_base"

    /// Every known column and the JSON type its values should have (nil: not JSON).
    package static let all: [(name: String, json: JSONValueType?)] = [
        ("transcript_id", nil), ("gene_symbol", nil), ("gene_id", nil), ("gene_type", nil),
        ("chromosome", nil), ("coordinates", .object), ("product_type", nil), ("go_terms", .object),
        ("pathways", nil), ("drugs", .object), ("drug_scores", .object),
        ("expression_fold_change", nil), ("expression_freq", .object), ("cancer_types", nil),
        ("features", .object), ("molecular_functions", nil), ("cellular_location", nil),
        ("uniprot_ids", nil), ("ncbi_ids", nil), ("refseq_ids", nil), ("pdb_ids", nil),
        ("alt_transcript_ids", .object), ("alt_gene_ids", .object), ("source_references", .object),
        ("pharmgkb_pathways", .object), ("pharmgkb_variants", .object), ("evidence_quality_metrics", .object),
    ]

    /// Names of the known columns.
    package static let names: Set<String> = Set(all.map(\.name))

    /// Whether `table` is the legacy table, in any schema.
    package static func isLegacy(_ table: TableSchema) -> Bool { table.name == tableName }
}
