#!/usr/bin/env python3
"""Alternates `convert --to sqlite` of one input between two or more mediabase binaries (an
A/B of a change), and prints each run's wall time, its stages and end steps from report.json,
and the process's user and system CPU and peak RSS.

On a shared machine one run of each says little: the binaries take turns, so that load from
elsewhere falls on all of them alike, and the steps show where a difference comes from (the
index builds alone vary by a second between runs of one binary on 1 GB of lean rows).

  python3 bench/ab.py DUMP BINARY_A BINARY_B [--reps 3] [--steps indexes,...] [-- EXTRA CONVERT OPTIONS]

Every run starts with no write-back pending (sync) and without the previous run's output, as
make bench's do. Nothing is kept but the printed lines; a report per run goes to a temporary
folder that is removed at the end.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEFAULT_STEPS = ["indexes", "view tables: waiting for the other connections", "checkpoint (beside the view tables)",
                 "view tables: copy into the core", "transcripts in id order", "load: writer waiting for the producer"]


def run(binary, dump, extra, scratch):
    output = os.path.join(scratch, "ab.sqlite")
    report = os.path.join(scratch, "ab.json")
    for path in (output, report):
        if os.path.exists(path):
            os.unlink(path)
    os.sync()
    errors = os.path.join(scratch, "stderr")
    started = time.monotonic()
    with open(errors, "w") as stderr:
        process = subprocess.Popen([binary, "convert", dump, "--to", "sqlite", output, "--force", "--progress", "never",
                                    "--report", report] + extra, stdout=subprocess.DEVNULL, stderr=stderr)
        # This child's own figures (RUSAGE_CHILDREN would give the largest peak of all runs so far).
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        with open(errors) as file:
            sys.exit(f"{binary} failed ({os.waitstatus_to_exitcode(status)}): {file.read().strip()}")
    with open(report) as file:
        figures = json.load(file)
    return {"wall": wall, "user": usage.ru_utime, "system": usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "stages": figures.get("secondsPerStage", {}),
            "steps": figures.get("secondsPerFinishStep", {})}


def main():
    arguments = sys.argv[1:]
    extra = []
    if "--" in arguments:
        extra = arguments[arguments.index("--") + 1:]
        arguments = arguments[:arguments.index("--")]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dump")
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--steps", default=",".join(DEFAULT_STEPS), help="end steps of report.json to print (comma-separated)")
    options = parser.parse_args(arguments)
    steps = [step for step in options.steps.split(",") if step]
    names = {binary: os.path.basename(binary) for binary in options.binaries}
    if len(set(names.values())) < len(names):
        names = {binary: binary for binary in options.binaries}
    width = max(len(name) for name in names.values())
    scratch = tempfile.mkdtemp(prefix="mediabase-ab-")
    walls = {binary: [] for binary in options.binaries}
    try:
        for _ in range(options.reps):
            for binary in options.binaries:
                figures = run(binary, options.dump, extra, scratch)
                walls[binary].append(figures["wall"])
                stages = figures["stages"]
                line = [f"{names[binary]:<{width}}", f"wall {figures['wall']:6.2f}",
                        f"read {stages.get('read_and_normalize', 0):5.2f}", f"genes {stages.get('write_genes', 0):5.2f}",
                        f"end {stages.get('index_and_views', 0):5.2f}"]
                line += [f"{step.split(':')[-1].split('(')[0].strip()} {figures['steps'].get(step, 0):5.2f}" for step in steps]
                line += [f"user {figures['user']:6.2f}", f"sys {figures['system']:5.2f}", f"peak {figures['peak_mb']:5.0f} MB"]
                print(" | ".join(line), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for binary, times in walls.items():
        print(f"{names[binary]:<{width}} median wall {statistics.median(times):.2f} s of {len(times)}: "
              + ", ".join(f"{t:.2f}" for t in times))


if __name__ == "__main__":
    main()
