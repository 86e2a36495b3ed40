#!/usr/bin/env python3
"""The patients job in DuckDB SQL, for comparison: read each file, join to the core's
transcripts (by transcript id, gene id or symbol, as mediabase matches), turn log2 fold
changes into linear ones, drop 1.0 and non-positive values, write one table per patient.

usage: duckdb_patients.py TRANSCRIPTS.csv OUT.duckdb FILE...
TRANSCRIPTS.csv has transcript_id, gene_id, gene_symbol (one row per transcript).
"""
import os
import sys

import duckdb

LINEAR = ("cancer_fold", "expression_fold_change", "fold_change", "fc", "foldchange", "linear_fc")
LOG2 = ("log2foldchange", "logfc", "log2fc", "log2_fold_change", "l2fc")
IDS = ("transcript_id", "ensembl_transcript_id", "transcript", "enst_id", "gene_id", "ensembl_gene_id",
       "gene_symbol", "symbol", "gene_name", "hgnc_symbol")

transcripts, database, files = sys.argv[1], sys.argv[2], sys.argv[3:]
if os.path.exists(database):
    os.unlink(database)
con = duckdb.connect(database)
con.execute("CREATE TABLE transcripts AS SELECT * FROM read_csv_auto(?, header = true, all_varchar = true)", [transcripts])
for index, path in enumerate(files):
    source = "read_csv(?, header = true, nullstr = ['NA', ''], all_varchar = true, auto_detect = true)"
    columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {source}", [path]).fetchall()]
    lower = {c.lower(): c for c in columns}
    log2 = next((lower[c] for c in LOG2 if c in lower), None)
    linear = next((lower[c] for c in LINEAR if c in lower), None)
    ident = next((lower[c] for c in IDS if c in lower), columns[0])
    value = f'pow(2, TRY_CAST(p."{log2}" AS DOUBLE))' if log2 else f'TRY_CAST(p."{linear}" AS DOUBLE)'
    key = f"upper(split_part(trim(p.\"{ident}\"), '.', 1))"
    con.execute(f"""
        CREATE TABLE patient_{index} AS
        WITH p AS (SELECT {key} AS id, {value} AS fold FROM {source} p),
             matched AS (
                 SELECT t.transcript_id, p.fold FROM p JOIN transcripts t ON t.transcript_id = p.id
                 UNION ALL
                 SELECT t.transcript_id, p.fold FROM p JOIN transcripts t ON t.gene_id = p.id
                 UNION ALL
                 SELECT t.transcript_id, p.fold FROM p JOIN transcripts t ON upper(t.gene_symbol) = p.id)
        SELECT transcript_id, fold AS expression_fold_change FROM matched
        WHERE fold IS NOT NULL AND fold <> 1.0 AND fold > 0
    """, [path])
con.close()
