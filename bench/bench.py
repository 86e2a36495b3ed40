#!/usr/bin/env python3
"""mediabase benchmarks: each figure is a ratio against a tool on the same machine, same run.

Inputs are made by `mediabase generate` and cached in bench/work/. Every command runs --reps
times; the table shows median wall seconds, the ratio to its reference and peak RSS, and
bench/results.json keeps everything. Targets (from the performance issue):

  inspect            <= 3.0 x  wc -l
  convert --to sqlite <= 1.5 x  sqlite3 .import of the CSV export into one raw table
  convert --to sqlite <= 0.25 x psql restore of the plain dump into a local PostgreSQL
  convert --to bundle <= 1.0 x  gzip -6 of the dump
  patients (100 x 60,000 rows) <= 1.0 x DuckDB doing the same in SQL
  peak RSS of convert <= 300 MB, and growing <= 10 % from a 1 GB to a 4 GB input

--quick: small inputs, one repetition, the debug binary; what CI runs to keep this working.
--only patients: just the patients comparison; --only convert: just convert --to sqlite against
  sqlite3 .import and the psql restore.
"""
import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run_timed(command, shell=False, ok_codes=(0,), cwd=None):
    """Runs a command under /usr/bin/time; returns (seconds, peak RSS bytes)."""
    time_file = tempfile.mktemp()
    argv = ["/usr/bin/time", "-f", "%e %M", "-o", time_file]
    argv += ["sh", "-c", command] if shell else command
    started = time.monotonic()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    wall = time.monotonic() - started
    if result.returncode not in ok_codes:
        raise RuntimeError(f"{command} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    with open(time_file) as handle:
        _, rss_kb = handle.read().split()[-2:]
    os.unlink(time_file)
    return wall, int(rss_kb) * 1024


def measure(name, command, reps, prepare=None, **kwargs):
    times, rss = [], []
    for _ in range(reps):
        if prepare:
            prepare()
        # Every run starts with no write-back pending from the one before (`.import` and a
        # conversion leave a gigabyte of dirty pages): not timed, the same for every tool.
        os.sync()
        seconds, peak = run_timed(command, **kwargs)
        times.append(seconds)
        rss.append(peak)
    result = {"name": name, "median_s": statistics.median(times), "runs_s": times, "peak_rss_bytes": max(rss)}
    log(f"  {name}: {result['median_s']:.3f} s, peak RSS {max(rss) / 1e6:.1f} MB")
    return result


GENERATED = {}


def generate(binary, genes, patients=0, formats="plain", seed=1, patient_rows=None, patient_dialects=None):
    # --clean: no planted invalid rows, so that PostgreSQL restores the same dump the converter reads.
    name = f"gen-s{seed}-g{genes}-p{patients}"
    options = []
    if patient_rows is not None:
        name += f"-r{patient_rows}"
        options += ["--patient-rows", str(patient_rows)]
    if patient_dialects is not None:
        name += "-" + patient_dialects.replace(",", "_")
        options += ["--patient-dialects", patient_dialects]
    folder = os.path.join(WORK, f"{name}-{formats.replace(',', '_')}-clean")
    if os.path.exists(os.path.join(folder, "expected.json")):
        return folder
    log(f"generating {genes} genes, {patients} patients ({formats}) into {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    seconds, rss = run_timed([binary, "generate", "--seed", str(seed), "--genes", str(genes), "--out", folder,
                              "--patients", str(patients), "--formats", formats, "--clean", "--force", *options])
    log(f"  generated in {seconds:.1f} s, peak RSS {rss / 1e6:.1f} MB")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    GENERATED[os.path.basename(folder)] = {"seconds": round(seconds, 2), "peak_rss_bytes": rss, "bytes": size,
                                          "mb_per_s": round(size / 1e6 / max(seconds, 1e-9), 1)}
    return folder


class Postgres:
    """A private throwaway cluster on a Unix socket, as the tests start one."""

    def __init__(self):
        versions = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".") if x.isdigit()])
        self.bin = f"/usr/lib/postgresql/{versions[-1]}/bin"
        self.dir = tempfile.mkdtemp(prefix="mediabase-bench-pg-")
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(self.prefix + [f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres",
                                      "--encoding=UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True)
        with open(f"{self.dir}/data/postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{self.dir}'\nport = 5432\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nmaintenance_work_mem = '512MB'\n")
        subprocess.run(self.prefix + [f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-w", "-l", f"{self.dir}/log", "start"],
                       check=True, capture_output=True)

    def client(self, program):
        return f"{self.bin}/{program} -h {self.dir} -p 5432 -U postgres"

    def stop(self):
        subprocess.run(self.prefix + [f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def ratio(results, name, reference, target):
    value = results[name]["median_s"] / max(results[reference]["median_s"], 1e-9)
    return {"name": name, "reference": reference, "ratio": round(value, 3), "target": target, "met": value <= target}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs, one repetition, debug binary")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--genes", type=int, default=None, help="genes of the main input (default: about 1 GB)")
    parser.add_argument("--large-genes", type=int, default=None, help="genes of the RSS-growth input (about 4 GB)")
    parser.add_argument("--full-scale", action="store_true", help="also generate and convert --genes 77114")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--only", choices=["patients", "convert"],
                        help="run one comparison (its inputs are cached like the others); convert: convert sqlite against "
                             "sqlite3 .import and the psql restore")
    args = parser.parse_args()
    quick = args.quick
    reps = 1 if quick else args.reps
    binary = os.path.join(ROOT, ".build", "debug" if quick else "release", "mediabase")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: run `swift build{'' if quick else ' -c release'}` first")
    os.makedirs(WORK, exist_ok=True)
    if args.only == "patients":
        scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)
        patients_result = bench_patients(binary, quick, reps, scratch, args.skip_duckdb)
        patients_result["facts"].update({"quick": quick, "reps": reps, "generated": GENERATED})
        finish(patients_result["results"], patients_result["ratios"], patients_result["facts"], scratch)
        return
    # 22,000 genes make a plain dump of about 1 GB (the generator's rows average 8.8 KB).
    genes = args.genes or (300 if quick else 22000)
    results, ratios, facts = {}, [], {"quick": quick, "reps": reps, "genes": genes}

    data = generate(binary, genes, formats="plain,csv")
    dump = os.path.join(data, "mbase.sql")
    csv = os.path.join(data, "cancer_transcript_base.csv")
    facts["dump_bytes"] = os.path.getsize(dump)
    facts["csv_bytes"] = os.path.getsize(csv)
    log(f"main input: {dump} ({facts['dump_bytes'] / 1e6:.1f} MB)")
    scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)

    log("read floor")
    results["cat"] = measure("cat", f"cat '{dump}' > /dev/null", reps, shell=True)
    results["wc -l"] = measure("wc -l", ["wc", "-l", dump], reps)
    log("inspect")
    results["inspect"] = measure("inspect", [binary, "inspect", dump, "--progress", "never"], reps, ok_codes=(0, 2))
    ratios.append(ratio(results, "inspect", "wc -l", 3.0))

    log("convert --to sqlite vs sqlite3 .import and psql restore")
    raw = os.path.join(scratch, "raw.sqlite")
    results["sqlite3 .import"] = measure("sqlite3 .import", ["sqlite3", raw, f".import --csv {csv} raw"], reps,
                                         prepare=lambda: os.path.exists(raw) and os.unlink(raw))
    core = os.path.join(scratch, "core.sqlite")
    # Like .import's raw table, the previous run's output is removed before each run (untimed):
    # replacing a 0.5 GB file costs the kernel a few tenths of a second that a first run does not pay.
    results["convert sqlite"] = measure("convert sqlite", [binary, "convert", dump, "--to", "sqlite", core, "--force",
                                                           "--progress", "never", "--report", os.path.join(scratch, "r.json")], reps,
                                        prepare=lambda: os.path.exists(core) and os.unlink(core))
    ratios.append(ratio(results, "convert sqlite", "sqlite3 .import", 1.5))
    postgres = Postgres()
    try:
        createdb = postgres.client("psql") + " -q -d postgres -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'"
        results["psql restore"] = measure("psql restore", f"{postgres.client('psql')} -q -X -v ON_ERROR_STOP=1 -d bench -f '{dump}' > /dev/null",
                                          reps, shell=True, prepare=lambda: subprocess.run(createdb, shell=True, check=True, capture_output=True))
        custom = os.path.join(scratch, "mbase.dump")
        subprocess.run(f"{postgres.client('pg_dump')} -Fc -d bench -f '{custom}'", shell=True, check=True, capture_output=True)
    finally:
        postgres.stop()
    ratios.append(ratio(results, "convert sqlite", "psql restore", 0.25))
    if args.only == "convert":
        facts["convert_peak_rss_bytes"] = results["convert sqlite"]["peak_rss_bytes"]
        facts["generated"] = GENERATED
        finish(results, ratios, facts, scratch)
        return

    log("inspect throughput by input form")
    gzipped = os.path.join(scratch, "mbase.sql.gz")
    subprocess.run(f"gzip -1 -c '{dump}' > '{gzipped}'", shell=True, check=True)
    for name, path in (("inspect (gzip)", gzipped), ("inspect (custom)", custom)):
        results[name] = measure(name, [binary, "inspect", path, "--progress", "never"], reps, ok_codes=(0, 2))
    for name in ("inspect", "inspect (gzip)", "inspect (custom)"):
        # MB/s of the dump's uncompressed size, so the forms compare.
        facts[f"{name} MB/s"] = round(facts["dump_bytes"] / 1e6 / results[name]["median_s"], 1)
    facts["core_bytes"] = os.path.getsize(core)

    log("convert --to bundle vs gzip -6")
    results["gzip -6"] = measure("gzip -6", f"gzip -6 -c '{dump}' > /dev/null", reps, shell=True)
    bundle = os.path.join(scratch, "bundle")
    results["convert bundle"] = measure("convert bundle", [binary, "convert", dump, "--to", "bundle", bundle, "--force",
                                                           "--progress", "never", "--report", os.path.join(scratch, "rb.json")], reps,
                                        prepare=lambda: shutil.rmtree(bundle, ignore_errors=True))
    ratios.append(ratio(results, "convert bundle", "gzip -6", 1.0))
    facts["bundle_bytes"] = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(bundle) for f in fs)

    facts["convert_peak_rss_bytes"] = results["convert sqlite"]["peak_rss_bytes"]
    ratios.append({"name": "convert peak RSS", "value_mb": round(facts["convert_peak_rss_bytes"] / 1e6, 1), "target": "<= 300 MB",
                   "met": facts["convert_peak_rss_bytes"] <= 300e6})

    if not quick:
        large_genes = args.large_genes or genes * 4
        large = os.path.join(generate(binary, large_genes), "mbase.sql")
        facts["large_dump_bytes"] = os.path.getsize(large)
        results["convert sqlite (4x input)"] = measure("convert sqlite (4x input)", [binary, "convert", large, "--to", "sqlite",
                                                       core, "--force", "--progress", "never", "--report", os.path.join(scratch, "r4.json")], 1,
                                                       prepare=lambda: os.path.exists(core) and os.unlink(core))
        growth = results["convert sqlite (4x input)"]["peak_rss_bytes"] / results["convert sqlite"]["peak_rss_bytes"] - 1
        ratios.append({"name": "convert RSS growth 1x -> 4x input", "growth": round(growth, 3), "target": "<= 0.10", "met": growth <= 0.10})

    patients_result = bench_patients(binary, quick, reps, scratch, args.skip_duckdb)
    results.update(patients_result["results"])
    ratios += patients_result["ratios"]
    facts.update(patients_result["facts"])

    if args.full_scale:
        log("full scale: generate --genes 77114")
        full = generate(binary, 77114)
        facts["full_scale_generate"] = GENERATED.get(os.path.basename(full), "cached (delete bench/work to time it)")
        full_dump = os.path.join(full, "mbase.sql")
        facts["full_dump_bytes"] = os.path.getsize(full_dump)
        for target, output in (("sqlite", os.path.join(scratch, "full.sqlite")), ("bundle", os.path.join(scratch, "full.bundle"))):
            name = f"full-scale convert {target}"
            results[name] = measure(name, [binary, "convert", full_dump, "--to", target, output, "--force", "--progress", "never",
                                           "--report", os.path.join(scratch, f"full-{target}.json")], 1)
            results[name]["mb_per_s"] = round(facts["full_dump_bytes"] / 1e6 / results[name]["median_s"], 1)
            size = os.path.getsize(output) if os.path.isfile(output) else sum(
                os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(output) for f in fs)
            results[name]["output_bytes"] = size
            results[name]["output_to_input"] = round(size / facts["full_dump_bytes"], 3)

    facts["generated"] = GENERATED
    finish(results, ratios, facts, scratch)


def finish(results, ratios, facts, scratch):
    print_table(results, ratios, facts)
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as handle:
        json.dump({"facts": facts, "results": results, "ratios": ratios}, handle, indent=2, sort_keys=True)
        handle.write("\n")
    shutil.rmtree(scratch, ignore_errors=True)


# Every fold-change dialect of the generator; the v0.5 per-patient dumps are whole databases
# (every transcript of the core), not fold-change tables of a given length.
PATIENT_DIALECTS = "linear-csv,deseq2,deseq2-symbol,edger,limma,tsv,excel-csv"


def bench_patients(binary, quick, reps, scratch, skip_duckdb):
    """100 fold-change files of exactly 60,000 data rows (quick: 7 of 200, one per dialect), the
    dialects in turn, against a core of the real database's 77,114 genes (quick: 300), so that
    gene-level files of 60,000 rows name real genes."""
    files, rows_per_file, genes = (7, 200, 300) if quick else (100, 60_000, 77_114)
    folder = generate(binary, genes, patients=files, patient_rows=rows_per_file, patient_dialects=PATIENT_DIALECTS)
    # The core is an input too: cached beside the generated folder (convert renames it into
    # place only when complete).
    core = folder + ".core.sqlite"
    if not os.path.exists(core):
        log(f"converting {folder}/mbase.sql into {core}")
        subprocess.run([binary, "convert", os.path.join(folder, "mbase.sql"), "--to", "sqlite", core, "--force", "--progress", "never",
                        "--report", os.path.join(scratch, "pc.json")], check=True, capture_output=True)
    with open(os.path.join(folder, "expected.json")) as handle:
        expected = {patient["patientId"]: patient for patient in json.load(handle)["patients"]}
    patient_dir = os.path.join(folder, "patients")
    inputs = [os.path.join(folder, patient["file"]) for patient in expected.values()]
    rows = 0
    for path in inputs:
        with open(path, "rb") as handle:
            lines = sum(1 for _ in handle) - 1
        if lines != rows_per_file:
            raise RuntimeError(f"{path} has {lines} data rows, not {rows_per_file}")
        rows += lines
    out = os.path.join(scratch, "patients-out")
    results = {"patients": measure("patients", [binary, "patients", *inputs, "--core", core, "--to", "sqlite", out, "--force",
                                               "--progress", "never"], reps)}
    with open(os.path.join(out, "report.json")) as handle:
        ours = {patient["patientId"]: patient["counts"] for patient in json.load(handle)["patients"]}
    for patient, counts in ours.items():
        stored = sqlite3.connect(os.path.join(out, f"patient_{patient.lower()}.sqlite"))
        counts["fold_sum"] = stored.execute("SELECT total(expression_fold_change) FROM expression_data").fetchone()[0]
        stored.close()
    dialects = sorted({patient["dialect"] for patient in expected.values()})
    facts = {"patient_files": len(inputs), "patient_rows_per_file": rows_per_file, "patient_rows": rows,
             "patient_core_genes": genes, "patient_dialects": {d: sum(p["dialect"] == d for p in expected.values()) for d in dialects},
             "patient_rows_stored": sum(counts["stored"] for counts in ours.values()),
             "patients_files_per_s": round(len(inputs) / results["patients"]["median_s"], 1),
             "patients_rows_per_s": round(rows / results["patients"]["median_s"])}
    check_same_counts("mediabase patients", ours, expected, patient_dir)
    ratios = []
    duckdb_python = duckdb_environment() if not skip_duckdb else None
    if duckdb_python:
        transcripts = os.path.join(scratch, "transcripts.csv")
        with open(transcripts, "w") as handle:
            subprocess.run(["sqlite3", "-csv", "-header", core, "SELECT transcript_id, gene_id, gene_symbol, transcript_support_level "
                            "FROM transcripts JOIN genes USING (gene_id)"], stdout=handle, check=True)
        script = os.path.join(ROOT, "bench", "duckdb_patients.py")
        database = os.path.join(scratch, "duck.db")
        results["duckdb patients"] = measure("duckdb patients", [duckdb_python, script, transcripts, database, *inputs], reps)
        results["duckdb patients"]["rows_per_s"] = round(rows / results["duckdb patients"]["median_s"])
        theirs = json.loads(subprocess.run([duckdb_python, script, "--counts", database], check=True, capture_output=True).stdout)
        check_same_counts("DuckDB", theirs, expected, patient_dir)
        different = [patient for patient, counts in ours.items()
                     if not math.isclose(counts["fold_sum"], theirs[patient]["fold_sum"], rel_tol=1e-9)]
        if different:
            raise RuntimeError(f"mediabase and DuckDB stored other fold changes for {', '.join(different[:10])}")
        facts["patients_same_work"] = ("rows, matched and stored rows per patient equal in mediabase, DuckDB and expected.json; "
                                       "the stored fold changes sum to the same per patient")
        ratios.append(ratio(results, "patients", "duckdb patients", 1.0))
    else:
        ratios.append({"name": "patients", "reference": "duckdb patients", "ratio": None, "target": 1.0, "met": None,
                       "note": "DuckDB not available (pip install duckdb failed or --skip-duckdb)"})
    return {"results": results, "ratios": ratios, "facts": facts}


def check_same_counts(who, counts, expected, patient_dir):
    """Both sides must read, match and store what the generator says the files hold."""
    problems = []
    for patient, facts in expected.items():
        got = counts.get(patient)
        if got is None:
            problems.append(f"{patient}: missing")
            continue
        for key in ("rows", "matched", "stored"):
            if got[key] != facts[key]:
                problems.append(f"{patient}: {key} {got[key]}, expected {facts[key]}")
    if problems:
        raise RuntimeError(f"{who} did other work than expected.json in {patient_dir}: " + "; ".join(problems[:10]))


def duckdb_environment():
    """A virtualenv with duckdb from PyPI, made once under bench/work."""
    venv = os.path.join(WORK, "venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        if subprocess.run([sys.executable, "-m", "venv", venv], capture_output=True).returncode != 0:
            return None
    if subprocess.run([python, "-c", "import duckdb"], capture_output=True).returncode != 0:
        log("installing duckdb from PyPI into bench/work/venv")
        if subprocess.run([python, "-m", "pip", "install", "-q", "duckdb"], capture_output=True).returncode != 0:
            return None
    return python


def print_table(results, ratios, facts):
    print()
    print(f"{'command':34} {'median s':>10} {'peak RSS MB':>12}")
    for name, result in results.items():
        print(f"{name:34} {result['median_s']:10.3f} {result['peak_rss_bytes'] / 1e6:12.1f}")
    print()
    print(f"{'ratio':48} {'value':>8} {'target':>10}  met")
    for item in ratios:
        label = f"{item['name']} / {item['reference']}" if "reference" in item else item["name"]
        value = item.get("ratio", item.get("growth", item.get("value_mb")))
        print(f"{label:48} {str(value):>8} {str(item['target']):>10}  {item['met']}")
    print()
    print("facts: " + ", ".join(f"{key}={value}" for key, value in sorted(facts.items())))


if __name__ == "__main__":
    main()
