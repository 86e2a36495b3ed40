-- Created after the bulk load (building indexes during the load costs about twice as much).
-- The unique indexes are the link tables' keys: rows equal on them were merged before.
CREATE UNIQUE INDEX gene_drug_interactions_key ON gene_drug_interactions (gene_id, drug_interaction_id, interaction_type, coalesce(pathway_id, ''));
CREATE UNIQUE INDEX gene_pathways_key ON gene_pathways (gene_id, pathway_id);
CREATE UNIQUE INDEX transcript_go_terms_key ON transcript_go_terms (transcript_id, go_id);
CREATE UNIQUE INDEX transcript_products_key ON transcript_products (transcript_id, product_type);
CREATE UNIQUE INDEX gene_annotations_key ON gene_annotations (gene_id, annotation_type, annotation_value);
CREATE UNIQUE INDEX gene_cross_references_key ON gene_cross_references (gene_id, external_db, external_id);
CREATE UNIQUE INDEX transcript_cross_references_key ON transcript_cross_references (transcript_id, external_db, external_id);
CREATE UNIQUE INDEX gene_publications_key ON gene_publications (gene_id, pmid, reference_category);

-- The lookup indexes carry the columns the view tables read with them, so those scans never
-- visit the table (ViewTableFiller).
CREATE INDEX transcripts_gene_id ON transcripts (gene_id, transcript_id);
CREATE INDEX genes_gene_symbol ON genes (gene_symbol);
CREATE INDEX gene_drug_interactions_drug ON gene_drug_interactions (drug_interaction_id, gene_id);
CREATE INDEX gene_pathways_pathway ON gene_pathways (pathway_id);
CREATE INDEX transcript_go_terms_go_id ON transcript_go_terms (go_id, evidence_code);
CREATE INDEX gene_cross_references_external ON gene_cross_references (external_db, external_id, gene_id);
CREATE INDEX transcript_cross_references_external ON transcript_cross_references (external_db, external_id, transcript_id);
CREATE INDEX gene_publications_pmid ON gene_publications (pmid, gene_id, reference_category);
CREATE INDEX gene_extras_gene ON gene_extras (gene_id, field);
CREATE INDEX transcript_extras_transcript ON transcript_extras (transcript_id, field);
CREATE INDEX drug_interactions_name ON drug_interactions (drug_name);
