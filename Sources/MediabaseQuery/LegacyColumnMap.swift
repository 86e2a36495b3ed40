/// Where each of the 27 columns of the v0.5 table `cancer_transcript_base` (docs/spec.md §3.1) lives in
/// the v0.6 layout, as `rewrite-query` maps it.
///
/// A column with a scalar home is rewritten to an expression over the three tables that replace
/// the legacy table (`public.transcripts t`, `patient_<id>.expression_data pe`, `public.genes
/// g`); any other column is refused, and the message names the v0.6 table that holds its
/// values now. docs/commands.md ("rewrite-query") shows this list as a table.
package enum LegacyColumnMap {
    /// The legacy table's name.
    package static let tableName = "cancer_transcript_base"

    /// What a legacy column becomes.
    package enum Home: Equatable, Sendable {
        /// A column of `public.transcripts` (`t.<column>`).
        case transcript(String)
        /// A column of `public.genes` (`g.<column>`).
        case gene(String)
        /// `COALESCE(pe.expression_fold_change, 1.0)`: the sparse patient value or the baseline.
        case foldChange
        /// The JSON object rebuilt from `t.start_position`, `t.end_position`, `t.strand`; its
        /// keys `start`, `end`, `strand` through `->>` and `->` map to those columns.
        case coordinates
        /// No scalar home: the values are rows of these v0.6 tables now.
        case refused(String)
    }

    /// The 27 columns in the order of the legacy table, with their homes.
    package static let columns: [(name: String, home: Home)] = [
        ("transcript_id", .transcript("transcript_id")),
        ("gene_symbol", .gene("gene_symbol")),
        ("gene_id", .transcript("gene_id")),
        ("gene_type", .gene("gene_type")),
        ("chromosome", .gene("chromosome")),
        ("coordinates", .coordinates),
        ("product_type", .refused("public.transcript_products (transcript_id, product_type), one row per product type")),
        ("go_terms", .refused("public.transcript_go_terms (transcript_id, go_id, go_term, go_category, evidence_code)")),
        ("pathways", .refused("public.gene_pathways joined to public.pathways (pathway_id, pathway_name, source_database)")),
        ("drugs", .refused("public.gene_drug_interactions joined to public.drug_interactions (drug_name, mechanism_of_action, …)")),
        ("drug_scores", .refused("public.gene_drug_interactions.drug_score (one row per gene and drug)")),
        ("expression_fold_change", .foldChange),
        ("expression_freq", .refused("public.gene_extras (field 'expression_freq', value_json)")),
        ("cancer_types", .refused("public.gene_extras (field 'cancer_types', value_json)")),
        ("features", .refused("public.gene_extras (field 'features', value_json)")),
        ("molecular_functions", .refused("public.gene_annotations (annotation_type 'molecular_function', annotation_value)")),
        ("cellular_location", .refused("public.gene_annotations (annotation_type 'cellular_location', annotation_value)")),
        ("uniprot_ids", .refused("public.gene_cross_references (external_db 'UniProt', external_id)")),
        ("ncbi_ids", .refused("public.gene_cross_references (external_db 'NCBI', external_id)")),
        ("refseq_ids", .refused("public.gene_cross_references (external_db 'RefSeq', external_id)")),
        ("pdb_ids", .refused("public.gene_cross_references (external_db 'PDB', external_id)")),
        ("alt_transcript_ids", .refused("public.transcript_cross_references (transcript_id, external_db, external_id)")),
        ("alt_gene_ids", .refused("public.gene_cross_references (gene_id, external_db, external_id)")),
        ("source_references", .refused("public.gene_publications (pmid, reference_category, evidence_type, year, citation_count, source_db)")),
        ("pharmgkb_pathways", .refused("public.gene_pathways and public.pathways (PharmGKB pathways), public.gene_drug_interactions (their drugs)")),
        ("pharmgkb_variants", .refused("public.gene_extras (field 'pharmgkb_variants', value_json)")),
        ("evidence_quality_metrics", .refused("public.gene_extras (field 'evidence_quality_metrics', value_json)")),
    ]

    /// The columns `SELECT *` and `ctb.*` become: every column with a scalar home, in the legacy
    /// table's order.
    package static let starColumns: [String] = columns.filter {
        if case .refused = $0.home { return false }
        return true
    }.map(\.name)

    private static let homes: [String: Home] = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.home) })

    /// The home of a legacy column, or nil when the table has no such column.
    package static func home(of column: String) -> Home? { homes[column] }

    /// The keys of the legacy `coordinates` object and the `public.transcripts` column of each.
    package static let coordinateKeys: [String: String] = ["start": "start_position", "end": "end_position", "strand": "strand"]

    /// Columns of the tables a v0.5 query may join besides the legacy table, so that an
    /// unqualified name is resolved as PostgreSQL resolves it. `genes` is the v0.6
    /// `public.genes`; `opentargets_known_drugs` is carried through from the legacy database.
    static let knownTables: [String: Set<String>] = [
        "genes": ["gene_id", "gene_symbol", "gene_name", "gene_type", "chromosome", "start_position", "end_position", "strand", "description"],
        "opentargets_known_drugs": [
            "id", "molecule_chembl_id", "molecule_name", "molecule_type", "target_gene_id", "disease_efo_id", "disease_name", "phase",
            "clinical_phase_label", "status", "is_approved", "mechanism_of_action", "action_type", "urls", "created_at",
        ],
    ]
}
