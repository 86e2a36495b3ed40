#!/usr/bin/env python3
"""The patients job in DuckDB SQL, for comparison with `mediabase patients FILE... --core
core.sqlite --to sqlite DIR`, doing the same work:

* the core's lookup is built once: an id is a transcript id, else a gene id standing for the
  gene's canonical transcript (lowest transcript_support_level, unknown last, then smallest
  transcript id), else a symbol (case-insensitive) standing for the canonical transcript
  across the genes that carry it;
* each file is read once (header, any delimiter, NA and empty as missing), its id column and
  fold-change column chosen by name (log2 columns turned into linear fold changes as 2^x),
  its ids put through the id rules (trimmed; an Ensembl id upper-cased without its version)
  and matched with one join;
* per patient, a schema `patient_<id>` with the tables of schemas/sqlite/patient.sqlite.sql:
  `expression_data` (primary key on the transcript, so two rows reaching one transcript fail
  as in mediabase; both CHECKs; created_at/updated_at) holding the matched rows whose fold
  change is a finite number above 0 and not 1.0, the index on the fold change, and a one-row
  `metadata` with the counts (rows, total, matched, unmatched, matching rate);
* unmatched ids, non-numeric and non-positive values go to a `rejects` table.

usage: duckdb_patients.py TRANSCRIPTS.csv OUT.duckdb FILE...
       duckdb_patients.py --counts OUT.duckdb     (prints {patient: {rows, matched, stored, fold_sum}} as JSON)
TRANSCRIPTS.csv has transcript_id, gene_id, gene_symbol, transcript_support_level (one row per
transcript), exported from the core.
"""
import json
import os
import sys

import duckdb

LINEAR = ("cancer_fold", "expression_fold_change", "fold_change", "fc", "foldchange", "linear_fc", "fold")
LOG2 = ("log2foldchange", "logfc", "log2fc", "log2_fold_change", "l2fc", "log2_fc", "lfc")
TRANSCRIPT = ("transcript_id", "ensembl_transcript_id", "transcript", "enst_id", "target_id")
GENE = ("gene_id", "ensembl_gene_id", "ensembl_id", "ensembl", "genes")
ROW_NAMES = ("", "column0", "x", "unnamed: 0", "...1")
SYMBOL = ("gene_symbol", "symbol", "gene_name", "hgnc_symbol", "external_gene_name", "gene")
UPLOAD_DATE = "1970-01-01T00:00:00Z"


def name_key(column):
    """Column names compare as mediabase compares them: case-insensitive, letters and digits only."""
    return "".join(c for c in column.lower() if c.isalnum())


def pick(columns, names):
    wanted = {name_key(n) for n in names}
    return next((c for c in columns if name_key(c) in wanted), None)


def build_lookup(con, transcripts):
    con.execute("""
        CREATE TABLE transcripts AS
        SELECT transcript_id, gene_id, nullif(trim(gene_symbol), '') AS gene_symbol,
               TRY_CAST(regexp_extract(transcript_support_level, '^\\s*([0-9]+)', 1) AS INTEGER) AS tsl
        FROM read_csv(?, header = true, all_varchar = true)""", [transcripts])
    # key -> transcript, the best kind winning (1 transcript, 2 gene, 3 symbol); keys are
    # lower-cased, since symbols match without case and Ensembl ids are upper case anyway.
    con.execute("""
        CREATE TABLE lookup AS
        WITH ranked AS (
            SELECT *, row_number() OVER (PARTITION BY gene_id ORDER BY tsl NULLS LAST, transcript_id) AS in_gene
            FROM transcripts),
        keys AS (
            SELECT lower(transcript_id) AS key, transcript_id, 1 AS kind, 0 AS tsl FROM transcripts
            UNION ALL
            SELECT lower(gene_id), transcript_id, 2, 0 FROM ranked WHERE in_gene = 1
            UNION ALL
            SELECT lower(gene_symbol), transcript_id, 3, tsl FROM ranked WHERE in_gene = 1 AND gene_symbol IS NOT NULL)
        SELECT key, transcript_id FROM keys
        QUALIFY row_number() OVER (PARTITION BY key ORDER BY kind, tsl NULLS LAST, transcript_id) = 1""")


def patient_id(path):
    return os.path.basename(path).split(".")[0]


def normalize_patient(con, path):
    source = "read_csv(?, header = true, nullstr = ['NA', 'N/A', '#N/A', 'NULL', 'None', ''], all_varchar = true)"
    columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {source}", [path]).fetchall()]
    log2 = pick(columns, LOG2)
    value_column = log2 or pick(columns, LINEAR)
    ident = pick(columns, TRANSCRIPT) or pick(columns, GENE) or pick(columns, ROW_NAMES) or pick(columns, SYMBOL) or pick(columns, ("id",))
    value = f'TRY_CAST(p."{value_column}" AS DOUBLE)'
    fold = f"pow(2, {value})" if log2 else value
    trimmed = f'trim(p."{ident}")'
    # The id rules: an Ensembl id loses its version (ENST00000269305.4 -> ENST00000269305).
    key = f"lower(CASE WHEN regexp_full_match({trimmed}, '(?i)ens[a-z]*[0-9]+(\\.[0-9]+)?') THEN split_part({trimmed}, '.', 1) ELSE {trimmed} END)"
    schema = f'"patient_{patient_id(path).lower()}"'
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rows AS
        SELECT row_number() OVER () AS line, p."{ident}" AS id, p."{value_column}" AS raw, {value} AS value, {fold} AS fold,
               l.transcript_id
        FROM {source} p LEFT JOIN lookup l ON l.key = {key}""", [path])
    con.execute(f"CREATE SCHEMA {schema}")
    con.execute(f"""
        CREATE TABLE {schema}.expression_data (
            transcript_id TEXT PRIMARY KEY,
            expression_fold_change DOUBLE NOT NULL,
            created_at TEXT,
            updated_at TEXT,
            CONSTRAINT check_fold_change_not_default CHECK (expression_fold_change <> 1.0),
            CONSTRAINT check_fold_change_positive CHECK (expression_fold_change > 0))""")
    con.execute(f"""
        INSERT INTO {schema}.expression_data
        SELECT transcript_id, fold, '{UPLOAD_DATE}', '{UPLOAD_DATE}' FROM rows
        WHERE transcript_id IS NOT NULL AND isfinite(fold) AND fold > 0 AND fold <> 1.0""")
    con.execute(f"CREATE INDEX idx_expression_data_fold_change ON {schema}.expression_data (expression_fold_change)")
    con.execute(f"""
        INSERT INTO rejects
        SELECT '{patient_id(path)}', line,
               CASE WHEN value IS NULL THEN 'non_numeric' WHEN transcript_id IS NULL THEN 'unmatched_id'
                    WHEN NOT isfinite(fold) OR fold = 0 THEN 'out_of_range' ELSE 'non_positive' END, id, raw
        FROM rows
        WHERE (raw IS NOT NULL AND value IS NULL) OR (value IS NOT NULL AND (transcript_id IS NULL OR NOT isfinite(fold) OR fold <= 0))""")
    con.execute(f"""
        CREATE TABLE {schema}.metadata (
            patient_id TEXT PRIMARY KEY, upload_date TEXT NOT NULL, source_file TEXT, file_format TEXT,
            normalization_method TEXT, total_transcripts_uploaded BIGINT NOT NULL, transcripts_matched BIGINT NOT NULL,
            transcripts_unmatched BIGINT NOT NULL, matching_success_rate DOUBLE CHECK (matching_success_rate BETWEEN 0 AND 1),
            rows BIGINT, stored BIGINT)""")
    con.execute(f"""
        INSERT INTO {schema}.metadata
        SELECT ?, '{UPLOAD_DATE}', ?, ?, ?, total, matched, total - matched, CASE WHEN total = 0 THEN 0 ELSE matched / total END,
               rows, (SELECT count(*) FROM {schema}.expression_data)
        FROM (SELECT count(*) AS rows, count(value) AS total, count(value) FILTER (WHERE transcript_id IS NOT NULL) AS matched FROM rows)""",
                [patient_id(path), os.path.basename(path), "log2_fold_change_table" if log2 else "fold_change_table",
                 "log2_to_linear" if log2 else "linear"])


def counts(database):
    con = duckdb.connect(database, read_only=True)
    schemas = [row[0] for row in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'patient\\_%' ESCAPE '\\' ORDER BY 1").fetchall()]
    result = {}
    for schema in schemas:
        patient, rows, matched, stored = con.execute(f'SELECT patient_id, rows, transcripts_matched, stored FROM "{schema}".metadata').fetchone()
        fold_sum = con.execute(f'SELECT coalesce(sum(expression_fold_change), 0) FROM "{schema}".expression_data').fetchone()[0]
        result[patient] = {"rows": rows, "matched": matched, "stored": stored, "fold_sum": fold_sum}
    print(json.dumps(result, sort_keys=True))


def main():
    if sys.argv[1] == "--counts":
        counts(sys.argv[2])
        return
    transcripts, database, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    if os.path.exists(database):
        os.unlink(database)
    con = duckdb.connect(database)
    build_lookup(con, transcripts)
    con.execute("CREATE TABLE rejects (patient TEXT, line BIGINT, reason TEXT, id TEXT, raw TEXT)")
    for path in files:
        # One transaction per patient, as mediabase writes each patient file in one: a failing
        # patient leaves nothing, and there is one commit per patient, not one per statement.
        con.execute("BEGIN")
        normalize_patient(con, path)
        con.execute("COMMIT")
    con.close()


if __name__ == "__main__":
    main()
