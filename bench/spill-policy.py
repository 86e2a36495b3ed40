#!/usr/bin/env python3
"""Replays the order of genes in a legacy dump through a model of the normalizer's gene-state
spills (MediabaseLegacy/GeneStates.swift) and counts, per ranking of the states that leave
memory, how many states are read back from the spill file and how many are written to it.

The model: every state takes the same room; memory holds `--room` of the dump's genes; when a
new or returning gene's state would not fit, states leave until a quarter of the room is free,
the state just asked for staying, ranked by

  last use      the least recently used first (the converter until 2026-12-08)
  fewest rows   the gene that has shown the fewest rows first, then the least recently used
                (the converter since)
  most rows     the gene that has shown the most rows first, then the least recently used

Besides the dump's own order, the same genes and row counts in other orders: each gene's rows
together; in two or three runs at random places; the rows of 10 % or 30 % of the genes
scattered and the others together; every row at random. Gene ids lose a version suffix, as the
converter's do.

  python3 bench/spill-policy.py DUMP.sql [--room 0.5] [--seed 1]

DUMP.sql is a plain pg_dump (or `mediabase generate` output) with the legacy table's COPY block.
A few minutes for a 1 GB dump of lean rows (about 860,000 rows).
"""
import argparse
import random
import re


def gene_order(path):
    """The gene id of every row of the legacy table's COPY block, in order, as numbers."""
    numbers, order = {}, []
    column = None
    with open(path, "rb") as dump:
        inside = False
        for line in dump:
            if not inside:
                if line.startswith(b"COPY ") and b"cancer_transcript_base" in line.split(b"(")[0]:
                    columns = [c.strip().strip(b'"') for c in line.split(b"(", 1)[1].split(b")")[0].split(b",")]
                    column = columns.index(b"gene_id")
                    inside = True
                continue
            if line.startswith(b"\\."):
                break
            gene = re.sub(rb"\.\d+$", b"", line.rstrip(b"\n").split(b"\t")[column].strip())
            order.append(numbers.setdefault(gene, len(numbers)))
    return order, len(numbers)


def shapes(order, genes, rng):
    rows = [0] * genes
    for gene in order:
        rows[gene] += 1

    def together():
        return [gene for gene in range(genes) for _ in range(rows[gene])]

    def runs(most):
        pieces = []
        for gene in range(genes):
            count = min(most, rows[gene])
            cuts = sorted(rng.sample(range(1, rows[gene]), count - 1)) if count > 1 else []
            last = 0
            for cut in cuts + [rows[gene]]:
                pieces.append([gene] * (cut - last))
                last = cut
        rng.shuffle(pieces)
        return [gene for piece in pieces for gene in piece]

    def some_scattered(share):
        loose = set(rng.sample(range(genes), int(genes * share)))
        pieces = [[gene] * rows[gene] for gene in range(genes) if gene not in loose]
        pieces += [[gene] for gene in loose for _ in range(rows[gene])]
        rng.shuffle(pieces)
        return [gene for piece in pieces for gene in piece]

    every = together()
    rng.shuffle(every)
    return [("the dump's order", order), ("each gene's rows together", together()),
            ("in two runs", runs(2)), ("in three runs", runs(3)),
            ("10 % of the genes scattered", some_scattered(0.1)), ("30 % of the genes scattered", some_scattered(0.3)),
            ("every row at random", every)]


def replay(order, genes, room, ranking):
    resident = {}
    seen = [0] * genes
    known = bytearray(genes)
    restored = spilled = 0
    for clock, gene in enumerate(order):
        seen[gene] += 1
        if gene in resident:
            resident[gene] = clock
            continue
        if known[gene]:
            restored += 1
        known[gene] = 1
        resident[gene] = clock
        if len(resident) > room:
            others = [(other, last) for other, last in resident.items() if other != gene]
            if ranking == "last use":
                others.sort(key=lambda item: item[1])
            elif ranking == "fewest rows":
                others.sort(key=lambda item: (seen[item[0]], item[1]))
            else:
                others.sort(key=lambda item: (-seen[item[0]], item[1]))
            for other, _ in others[:len(resident) - (room - room // 4)]:
                del resident[other]
                spilled += 1
    return restored, spilled


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump")
    parser.add_argument("--room", type=float, default=0.5, help="share of the genes whose states fit in memory")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    order, genes = gene_order(arguments.dump)
    room = max(2, int(genes * arguments.room))
    print(f"{len(order)} rows, {genes} genes, room for {room} states")
    rankings = ["last use", "fewest rows", "most rows"]
    print(f"{'order':30}" + "".join(f"{name + ': read back, written':>36}" for name in rankings))
    for name, shape in shapes(order, genes, random.Random(arguments.seed)):
        figures = [replay(shape, genes, room, ranking) for ranking in rankings]
        print(f"{name:30}" + "".join(f"{restored:>24,} {spilled:>11,}" for restored, spilled in figures), flush=True)


if __name__ == "__main__":
    main()
