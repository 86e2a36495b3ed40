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
        seconds, peak = run_timed(command, **kwargs)
        times.append(seconds)
        rss.append(peak)
    result = {"name": name, "median_s": statistics.median(times), "runs_s": times, "peak_rss_bytes": max(rss)}
    log(f"  {name}: {result['median_s']:.3f} s, peak RSS {max(rss) / 1e6:.1f} MB")
    return result


GENERATED = {}


def generate(binary, genes, patients=0, formats="plain", seed=1):
    # --clean: no planted invalid rows, so that PostgreSQL restores the same dump the converter reads.
    folder = os.path.join(WORK, f"gen-s{seed}-g{genes}-p{patients}-{formats.replace(',', '_')}-clean")
    if os.path.exists(os.path.join(folder, "expected.json")):
        return folder
    log(f"generating {genes} genes, {patients} patients ({formats}) into {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    seconds, rss = run_timed([binary, "generate", "--seed", str(seed), "--genes", str(genes), "--out", folder,
                              "--patients", str(patients), "--formats", formats, "--clean", "--force"])
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
    args = parser.parse_args()
    quick = args.quick
    reps = 1 if quick else args.reps
    binary = os.path.join(ROOT, ".build", "debug" if quick else "release", "mediabase")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: run `swift build{'' if quick else ' -c release'}` first")
    os.makedirs(WORK, exist_ok=True)
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
    results["convert sqlite"] = measure("convert sqlite", [binary, "convert", dump, "--to", "sqlite", core, "--force",
                                                           "--progress", "never", "--report", os.path.join(scratch, "r.json")], reps)
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
                                                           "--progress", "never", "--report", os.path.join(scratch, "rb.json")], reps)
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
                                                       core, "--force", "--progress", "never", "--report", os.path.join(scratch, "r4.json")], 1)
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
    print_table(results, ratios, facts)
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as handle:
        json.dump({"facts": facts, "results": results, "ratios": ratios}, handle, indent=2, sort_keys=True)
        handle.write("\n")
    shutil.rmtree(scratch, ignore_errors=True)


def bench_patients(binary, quick, reps, scratch, skip_duckdb):
    """100 patient files of 60,000 rows (quick: 5 of the generator's size) against one core."""
    files = 5 if quick else 100
    genes = 300 if quick else 14000
    folder = generate(binary, genes, patients=files)
    core = os.path.join(scratch, "patients-core.sqlite")
    subprocess.run([binary, "convert", os.path.join(folder, "mbase.sql"), "--to", "sqlite", core, "--force", "--progress", "never",
                    "--report", os.path.join(scratch, "pc.json")], check=True, capture_output=True)
    patient_dir = os.path.join(folder, "patients")
    # The per-patient legacy dumps (every eighth patient) are whole databases; the comparison
    # with DuckDB is about fold-change tables.
    inputs = sorted(os.path.join(patient_dir, name) for name in os.listdir(patient_dir)
                    if name.endswith((".csv", ".tsv", ".txt")) and name != "patients.csv")
    rows = sum(max(0, sum(1 for _ in open(path, "rb")) - 1) for path in inputs)
    out = os.path.join(scratch, "patients-out")
    results = {"patients": measure("patients", [binary, "patients", *inputs, "--core", core, "--to", "sqlite", out, "--force",
                                               "--progress", "never"], reps, ok_codes=(0, 1))}
    facts = {"patient_files": len(inputs), "patient_rows": rows,
             "patients_files_per_s": round(len(inputs) / results["patients"]["median_s"], 1),
             "patients_rows_per_s": round(rows / results["patients"]["median_s"])}
    ratios = []
    duckdb_python = duckdb_environment() if not skip_duckdb else None
    if duckdb_python:
        transcripts = os.path.join(scratch, "transcripts.csv")
        subprocess.run(["sqlite3", "-csv", "-header", core,
                        "SELECT transcript_id, gene_id, gene_symbol FROM transcripts JOIN genes USING (gene_id)"],
                       stdout=open(transcripts, "w"), check=True)
        script = os.path.join(ROOT, "bench", "duckdb_patients.py")
        results["duckdb patients"] = measure("duckdb patients", [duckdb_python, script, transcripts, os.path.join(scratch, "duck.db"), *inputs], reps)
        ratios.append(ratio(results, "patients", "duckdb patients", 1.0))
    else:
        ratios.append({"name": "patients", "reference": "duckdb patients", "ratio": None, "target": 1.0, "met": None,
                       "note": "DuckDB not available (pip install duckdb failed or --skip-duckdb)"})
    return {"results": results, "ratios": ratios, "facts": facts}


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
