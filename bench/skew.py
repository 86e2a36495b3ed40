#!/usr/bin/env python3
"""Skewed copies of a generated plain dump: shapes of legacy data `mediabase generate` never makes.

usage: python3 bench/skew.py BASE.sql OUT.sql VARIANT N

Reads the cancer_transcript_base COPY block of BASE.sql (a `mediabase generate --clean` plain
dump), plants one skew and writes OUT.sql, every other byte as in BASE.sql. Beside it,
OUT.planted.json says what was planted and the counts the core must hold for it, computed
here from what was written and the rules of docs/spec.md §4.1 — never read from mediabase:

  {"variant": "pmids", "n": 5000, "seed": 1, "gene_id": "ENSG…", "gene_symbol": "…",
   "where": "gene ENSG… (…)", "expect": {"gene_publications": 5000}}

Each name under "expect" is a count (or value) bench/bench.py looks up in the converted core
(SKEW_CHECKS there). The skewed gene is the first protein-coding gene, by id, with 3 to 6
rows and a symbol of its own. The variants, and the real data each stands for:

  tx N        the gene has N rows (its own plus copies under new transcript ids), the copies
              scattered over the table: a gene id that a bad join repeated on thousands of
              rows, far apart in the dump (the sort of a gene's transcripts was quadratic).
  pmids N     every row of the gene cites the same N publications: TP53 or EGFR, whose
              source_references hold tens of thousands of PMIDs.
  go N        every row of the gene carries N GO terms: a heavily annotated gene (hundreds of
              terms in Ensembl) whose legacy rows accumulated duplicates of many releases.
  drugs N     the gene has N drug records, half DrugCentral (digit keys), half ChEMBL
              (CHEMBL keys): a kinase that hundreds of trials and compounds target.
  arr N       the gene's uniprot_ids, ncbi_ids, refseq_ids, pdb_ids and alt_gene_ids RefSeq
              list hold N ids each, and each row's alt_transcript_ids N more, every list of one
              layout (ids that differ only in their last digits, which the bundle's key hash
              once put all in one slot).
  conflict N  the gene has N rows (scattered, as in tx) and every row has its own gene-level
              values: symbol, type, 10 GO terms, 3 drugs, 5 PMIDs, a pathway, a function.
              A gene whose rows came from loads of different releases; the union of its lists
              and the conflict count grow with N (docs/spec.md §4.1, Dedup).
  big N       one row's features is a JSON document of about N KB and another row's
              expression_freq a string of N KB: a value pasted whole into one field.
  sym N       the first N genes by id share one symbol: Metazoa_SRP is on 170 genes, Y_RNA
              on hundreds (gene_symbol is not unique).

Deterministic: the same BASE.sql, VARIANT and N give the same bytes (scattered rows go to
places drawn from a fixed seed).
"""
import json
import random
import sys

# The legacy table's columns in the order of the generator's COPY block (docs/spec.md §3).
COLUMNS = ("transcript_id gene_symbol gene_id gene_type chromosome coordinates product_type go_terms pathways drugs "
           "drug_scores expression_fold_change expression_freq cancer_types features molecular_functions cellular_location "
           "uniprot_ids ncbi_ids refseq_ids pdb_ids alt_transcript_ids alt_gene_ids source_references pharmgkb_pathways "
           "pharmgkb_variants evidence_quality_metrics").split()
COLUMN = {name: index for index, name in enumerate(COLUMNS)}
SEED = 1
VARIANTS = ("tx", "pmids", "go", "drugs", "arr", "conflict", "big", "sym")
SHARED_SYMBOL = "SKEWSYM"
GO_ASPECTS = ("biological_process", "molecular_function", "cellular_component")
EMPTY_REFERENCES = {"drugs": [], "uniprot": [], "go_terms": [], "pathways": [], "publications": []}


def copy_text(value):
    """A field in COPY text format: backslash, tab, newline and carriage return escaped."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_json(value):
    # json.dumps separates as PostgreSQL prints jsonb (", " and ": "), so the text a converter
    # keeps verbatim has the length counted here.
    return copy_text(json.dumps(value))


def copy_array(items):
    """A text[] literal with every element quoted, as a COPY field."""
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return copy_text("{" + ",".join(quoted) + "}")


def unversioned(ensembl_id):
    return ensembl_id.split(".")[0]


def read_dump(path):
    """The dump's lines and the index range of the legacy table's data rows."""
    with open(path, encoding="utf-8", newline="\n") as handle:
        lines = handle.read().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("COPY public.cancer_transcript_base "))
    end = next(i for i in range(start, len(lines)) if lines[i] == "\\.")
    return lines, start + 1, end


def pick_gene(rows):
    """The first protein-coding gene by id with 3 to 6 rows and a symbol no other gene has."""
    rows_of, symbols_of = {}, {}
    for index, row in enumerate(rows):
        gene = unversioned(row[COLUMN["gene_id"]])
        rows_of.setdefault(gene, []).append(index)
        symbols_of.setdefault(row[COLUMN["gene_symbol"]], set()).add(gene)
    for gene in sorted(rows_of):
        indexes = rows_of[gene]
        first = rows[indexes[0]]
        symbol = first[COLUMN["gene_symbol"]]
        if (3 <= len(indexes) <= 6 and first[COLUMN["gene_type"]] == "protein_coding" and symbol[:1].isalpha()
                and symbols_of[symbol] == {gene} and all(rows[i][COLUMN["gene_symbol"]] == symbol for i in indexes)):
            return gene, indexes, rows_of
    raise SystemExit("no protein-coding gene with 3 to 6 rows and a symbol of its own in the base dump")


def copy_rows(rows, first, count):
    """count copies of row `first` under new transcript ids (ENST9…, which the generator never uses)."""
    copies = []
    for k in range(count):
        copy = list(rows[first])
        copy[COLUMN["transcript_id"]] = "ENST9%010d" % k
        copies.append(copy)
    return copies


def scatter(rows, extra, rnd):
    """rows with extra inserted at places drawn from rnd; rows keep their order."""
    places = sorted((rnd.randrange(len(rows) + 1), k) for k in range(len(extra)))
    merged, taken = [], 0
    for place, k in places:
        merged.extend(rows[taken:place])
        taken = place
        merged.append(extra[k])
    merged.extend(rows[taken:])
    return merged


def publications(pmids):
    return [{"pmid": pmid, "year": 1990 + k % 30, "source_db": "PubMed", "evidence_type": "literature", "citation_count": k % 997}
            for k, pmid in enumerate(pmids)]


def drug_records(names, first_key):
    """Drug records keyed alternately by a DrugCentral id (digits) and a ChEMBL id, and their scores."""
    drugs, scores = {}, {}
    for k, name in enumerate(names):
        key = str(first_key + k) if k % 2 == 0 else "CHEMBL%d" % (first_key + k)
        drugs[key] = {"name": name, "evidence": {"type": "clinical_trial", "score": 0.5}, "mechanism": "Kinase inhibitor",
                      "action_type": "INHIBITOR"}
        scores[key] = 0.5
    return drugs, scores


def plant(variant, n, rows, rnd):
    """Plants the skew into rows (lists of COPY fields); returns the new rows and planted.json's content."""
    gene, indexes, rows_of = pick_gene(rows)
    symbol = rows[indexes[0]][COLUMN["gene_symbol"]]
    planted = {"variant": variant, "n": n, "seed": SEED, "gene_id": gene, "gene_symbol": symbol,
               "where": f"gene {gene} ({symbol})", "expect": {}}
    expect = planted["expect"]
    gene_rows = [rows[i] for i in indexes]

    def set_all(column, value):
        for row in gene_rows:
            row[COLUMN[column]] = value

    if variant == "tx":
        if n < len(gene_rows):
            raise SystemExit(f"tx {n}: the gene has {len(gene_rows)} rows already")
        rows = scatter(rows, copy_rows(rows, indexes[0], n - len(gene_rows)), rnd)
        expect.update(transcripts=n, genes_of_id=1)
    elif variant == "pmids":
        references = dict(EMPTY_REFERENCES, publications=publications([str(40_000_000 + k) for k in range(n)]))
        set_all("source_references", copy_json(references))
        expect.update(gene_publications=n)
    elif variant == "go":
        terms = {"GO:%07d" % (9_000_000 + k): {"term": f"skew term {k}", "aspect": GO_ASPECTS[k % 3],
                                                 "evidence": ("IDA", "IEA", "IMP", "TAS")[k % 4]} for k in range(n)}
        set_all("go_terms", copy_json(terms))
        expect.update(transcript_go_terms=n * len(gene_rows))
    elif variant == "drugs":
        drugs, scores = drug_records([f"skewdrug{k}" for k in range(n)], 900_000)
        set_all("drugs", copy_json(drugs))
        set_all("drug_scores", copy_json(scores))
        # PharmGKB pathways feed gene_drug_interactions too (docs/spec.md §4.1): none here.
        set_all("pharmgkb_pathways", copy_json({}))
        expect.update(gene_drug_interactions=n)
    elif variant == "arr":
        set_all("uniprot_ids", copy_array(["Q%05d" % k for k in range(n)]))
        set_all("ncbi_ids", copy_array([str(500_000_000 + k) for k in range(n)]))
        set_all("refseq_ids", copy_array(["NM_%06d.1" % k for k in range(n)]))
        set_all("pdb_ids", copy_array(["9%04X" % k for k in range(n)]))
        set_all("alt_gene_ids", copy_json({"RefSeq": ["XR_%06d.2" % k for k in range(n)]}))
        for j, row in enumerate(gene_rows):
            row[COLUMN["alt_transcript_ids"]] = copy_json({"RefSeq": ["XM_%02d%06d.1" % (j, k) for k in range(n)]})
        expect.update(gene_cross_references=5 * n, transcript_cross_references=n * len(gene_rows))
    elif variant == "conflict":
        if n < len(gene_rows):
            raise SystemExit(f"conflict {n}: the gene has {len(gene_rows)} rows already")
        copies = copy_rows(rows, indexes[0], n - len(gene_rows))
        # Cross-reference ids stay one list: cross_reference_lookup_view lists, for each id, all
        # the gene's transcripts, so N ids on N rows would make its output itself grow as N².
        cross_references = {column: rows[indexes[0]][COLUMN[column]] for column in
                            ("uniprot_ids", "ncbi_ids", "refseq_ids", "pdb_ids", "alt_gene_ids")}
        for j, row in enumerate(gene_rows + copies):
            for column, value in cross_references.items():
                row[COLUMN[column]] = value
            row[COLUMN["gene_symbol"]] = symbol if j == 0 else f"{symbol}_v{j}"
            row[COLUMN["gene_type"]] = "protein_coding" if j % 2 == 0 else "lncRNA"
            row[COLUMN["go_terms"]] = copy_json({"GO:%07d" % (8_000_000 + j * 10 + k): {
                "term": f"conflict term {j * 10 + k}", "aspect": GO_ASPECTS[k % 3], "evidence": "IDA"} for k in range(10)})
            drugs, scores = drug_records([f"conflictdrug{j * 3 + k}" for k in range(3)], 700_000 + j * 3)
            row[COLUMN["drugs"]] = copy_json(drugs)
            row[COLUMN["drug_scores"]] = copy_json(scores)
            row[COLUMN["pharmgkb_pathways"]] = copy_json({})
            references = dict(EMPTY_REFERENCES, publications=publications([str(30_000_000 + j * 5 + k) for k in range(5)]))
            row[COLUMN["source_references"]] = copy_json(references)
            row[COLUMN["pathways"]] = copy_array([f"Conflict pathway {j} [Reactome:R-HSA-{8_000_000 + j}]"])
            row[COLUMN["molecular_functions"]] = copy_array([f"conflict function {j}"])
        rows = scatter(rows, copies, rnd)
        # A scalar gene attribute comes from the row with the smallest transcript id (docs/spec.md §4.1).
        first = min(gene_rows + copies, key=lambda row: unversioned(row[COLUMN["transcript_id"]]))
        expect.update(transcripts=n, genes_of_id=1, gene_symbol=first[COLUMN["gene_symbol"]],
                      transcript_go_terms=10 * n, gene_drug_interactions=3 * n, gene_publications=5 * n, gene_pathways=n)
    elif variant == "big":
        entries = n * 1024 // 70  # about 70 bytes per domain
        features = {"domains": [{"name": f"Skew domain {k}", "start": k, "end": k + 10, "source": "Pfam"} for k in range(entries)]}
        frequencies = {"high": ["x" * (n * 1024)], "low": []}
        gene_rows[0][COLUMN["features"]] = copy_json(features)
        gene_rows[1][COLUMN["expression_freq"]] = copy_json(frequencies)
        # Both are gene-level extras, kept verbatim (docs/spec.md §4): the longest of the gene's is ours.
        expect.update(features_bytes=len(json.dumps(features).encode()), expression_freq_bytes=len(json.dumps(frequencies).encode()))
    elif variant == "sym":
        genes = sorted(rows_of)[:n]
        if len(genes) < n:
            raise SystemExit(f"sym {n}: the base dump has {len(genes)} genes")
        for shared in genes:
            for i in rows_of[shared]:
                rows[i][COLUMN["gene_symbol"]] = SHARED_SYMBOL
        planted.update(gene_symbol=SHARED_SYMBOL, where=f"symbol {SHARED_SYMBOL} on the first {n} genes")
        expect.update(genes_of_symbol=n)
    else:
        raise SystemExit(f"unknown variant {variant}; use {', '.join(VARIANTS)}")
    return rows, planted


def write_dump(path, lines, start, end, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines[:start]) + "\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
        handle.write("\n".join(lines[end:]))


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in VARIANTS:
        sys.exit(__doc__)
    base, out, variant, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    lines, start, end = read_dump(base)
    rows = [line.split("\t") for line in lines[start:end]]
    if any(len(row) != len(COLUMNS) for row in rows):
        sys.exit(f"{base}: a cancer_transcript_base row without {len(COLUMNS)} fields")
    rows, planted = plant(variant, n, rows, random.Random(SEED))
    write_dump(out, lines, start, end, rows)
    with open(out.removesuffix(".sql") + ".planted.json", "w") as handle:
        json.dump(planted, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
