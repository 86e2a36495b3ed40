-- Keys, foreign keys and indexes of the core, created after the data is loaded (building them
-- during COPY would cost more, and every check then runs once over the finished tables).
-- Same meaning as schemas/sqlite/core.sqlite.sql (keys) and indexes.sqlite.sql.

ALTER TABLE ONLY public.schema_versions ADD CONSTRAINT schema_versions_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.genes ADD CONSTRAINT genes_pkey PRIMARY KEY (gene_id);
ALTER TABLE ONLY public.transcripts ADD CONSTRAINT transcripts_pkey PRIMARY KEY (transcript_id);
ALTER TABLE ONLY public.drug_interactions ADD CONSTRAINT drug_interactions_pkey PRIMARY KEY (drug_interaction_id);
ALTER TABLE ONLY public.pathways ADD CONSTRAINT pathways_pkey PRIMARY KEY (pathway_id);

-- The link tables' keys: rows equal on them were merged before export.
CREATE UNIQUE INDEX gene_drug_interactions_key ON public.gene_drug_interactions (gene_id, drug_interaction_id, interaction_type, coalesce(pathway_id, ''));
CREATE UNIQUE INDEX gene_pathways_key ON public.gene_pathways (gene_id, pathway_id);
CREATE UNIQUE INDEX transcript_go_terms_key ON public.transcript_go_terms (transcript_id, go_id);
CREATE UNIQUE INDEX transcript_products_key ON public.transcript_products (transcript_id, product_type);
CREATE UNIQUE INDEX gene_annotations_key ON public.gene_annotations (gene_id, annotation_type, annotation_value);
CREATE UNIQUE INDEX gene_cross_references_key ON public.gene_cross_references (gene_id, external_db, external_id);
CREATE UNIQUE INDEX transcript_cross_references_key ON public.transcript_cross_references (transcript_id, external_db, external_id);
CREATE UNIQUE INDEX gene_publications_key ON public.gene_publications (gene_id, pmid, reference_category);

ALTER TABLE ONLY public.transcripts ADD CONSTRAINT transcripts_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.gene_drug_interactions ADD CONSTRAINT gene_drug_interactions_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.gene_drug_interactions ADD CONSTRAINT gene_drug_interactions_drug_interaction_id_fkey FOREIGN KEY (drug_interaction_id) REFERENCES public.drug_interactions (drug_interaction_id);
ALTER TABLE ONLY public.gene_pathways ADD CONSTRAINT gene_pathways_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.gene_pathways ADD CONSTRAINT gene_pathways_pathway_id_fkey FOREIGN KEY (pathway_id) REFERENCES public.pathways (pathway_id);
ALTER TABLE ONLY public.transcript_go_terms ADD CONSTRAINT transcript_go_terms_transcript_id_fkey FOREIGN KEY (transcript_id) REFERENCES public.transcripts (transcript_id);
ALTER TABLE ONLY public.transcript_products ADD CONSTRAINT transcript_products_transcript_id_fkey FOREIGN KEY (transcript_id) REFERENCES public.transcripts (transcript_id);
ALTER TABLE ONLY public.gene_annotations ADD CONSTRAINT gene_annotations_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.gene_cross_references ADD CONSTRAINT gene_cross_references_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.transcript_cross_references ADD CONSTRAINT transcript_cross_references_transcript_id_fkey FOREIGN KEY (transcript_id) REFERENCES public.transcripts (transcript_id);
ALTER TABLE ONLY public.gene_publications ADD CONSTRAINT gene_publications_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.gene_extras ADD CONSTRAINT gene_extras_gene_id_fkey FOREIGN KEY (gene_id) REFERENCES public.genes (gene_id);
ALTER TABLE ONLY public.transcript_extras ADD CONSTRAINT transcript_extras_transcript_id_fkey FOREIGN KEY (transcript_id) REFERENCES public.transcripts (transcript_id);

-- Lookup indexes.
CREATE INDEX transcripts_gene_id ON public.transcripts (gene_id);
CREATE INDEX genes_gene_symbol ON public.genes (gene_symbol);
CREATE INDEX gene_drug_interactions_drug ON public.gene_drug_interactions (drug_interaction_id);
CREATE INDEX gene_pathways_pathway ON public.gene_pathways (pathway_id);
CREATE INDEX transcript_go_terms_go_id ON public.transcript_go_terms (go_id);
CREATE INDEX gene_cross_references_external ON public.gene_cross_references (external_db, external_id);
CREATE INDEX transcript_cross_references_external ON public.transcript_cross_references (external_db, external_id);
CREATE INDEX gene_publications_pmid ON public.gene_publications (pmid);
CREATE INDEX gene_extras_gene ON public.gene_extras (gene_id, field);
CREATE INDEX transcript_extras_transcript ON public.transcript_extras (transcript_id, field);
CREATE INDEX drug_interactions_name ON public.drug_interactions (drug_name);

-- Statistics for the planner before the views are materialized (autovacuum would only see the
-- tables after the load's transaction commits).
ANALYZE public.genes, public.transcripts, public.drug_interactions, public.gene_drug_interactions,
    public.pathways, public.gene_pathways, public.transcript_go_terms, public.transcript_products,
    public.gene_cross_references, public.transcript_cross_references, public.gene_publications;
