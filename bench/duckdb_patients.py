#!/usr/bin/env python3
"""The patients job in DuckDB SQL, for comparison: read each file, join to the core's
transcripts, turn log2 fold changes into linear ones, drop 1.0, write one table per patient.

usage: duckdb_patients.py TRANSCRIPTS.csv OUT.duckdb FILE...
"""
import os
import sys

import duckdb

transcripts, database, files = sys.argv[1], sys.argv[2], sys.argv[3:]
if os.path.exists(database):
    os.unlink(database)
con = duckdb.connect(database)
con.execute("CREATE TABLE transcripts AS SELECT * FROM read_csv_auto(?, header = true)", [transcripts])
for index, path in enumerate(files):
    columns = [c[0] for c in con.execute("DESCRIBE SELECT * FROM read_csv_auto(?, header = true, nullstr = 'NA')", [path]).fetchall()]
    lower = {c.lower(): c for c in columns}
    log2 = next((lower[c] for c in ("log2foldchange", "logfc") if c in lower), None)
    linear = next((lower[c] for c in ("cancer_fold", "fold_change", "expression_fold_change") if c in lower), None)
    ident = next((lower[c] for c in ("transcript_id", "ensembl_transcript_id") if c in lower), columns[0])
    value = f'pow(2, TRY_CAST("{log2}" AS DOUBLE))' if log2 else f'TRY_CAST("{linear}" AS DOUBLE)'
    con.execute(f"""
        CREATE TABLE patient_{index} AS
        SELECT t.transcript_id, {value} AS expression_fold_change
        FROM read_csv_auto(?, header = true, nullstr = 'NA') p
        JOIN transcripts t ON t.transcript_id = split_part(p."{ident}", '.', 1)
        WHERE {value} IS NOT NULL AND {value} <> 1.0 AND {value} > 0
    """, [path])
con.close()
