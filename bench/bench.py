#!/usr/bin/env python3
"""mediabase benchmarks: each figure is a ratio against a tool on the same machine, same run.

Inputs are made by `mediabase generate` and cached in bench/work/. Every command runs --reps
times; the table shows median wall seconds, the ratio to its reference and peak RSS, and
bench/results.json keeps everything. Targets (docs/benchmarks.md):

  inspect            <= 3.0 x  wc -l
  convert --to sqlite <= 1.5 x  sqlite3 .import of the CSV export into one raw table
  convert --to sqlite <= 0.25 x psql restore of the plain dump into a local PostgreSQL
  convert --to bundle <= 1.0 x  gzip -6 of the dump
  patients (100 x 60,000 rows) <= 1.0 x DuckDB doing the same in SQL
  peak RSS of convert <= 300 MB, and growing <= 10 % from a 1 GB to a 4 GB input
  peak RSS of convert --memory-limit 200MB <= 200 MB
  convert --to sqlite of a 4x input <= 4.4 x the time of the 1x input (--linear)

The legacy-table comparisons run on every profile (shapes of legacy data), each about
--size-mb of plain dump (default 1000):
  today           mediabase generate's default shape (rows of a gene together, ~8.8 KB per row)
  scattered       the same rows, each gene's rows scattered over the table (--row-order scattered)
  lean-scattered  ~1.3 KB per row, scattered (--profile lean)
  fat-scattered   ~47 KB per row, scattered (--profile fat)
The inspect-by-input-form, RSS-growth and patients runs use the "today" profile; --full-scale converts
--genes 77114 of every profile in --profiles (the fat one is a 22 GB dump).

--quick: small inputs, one repetition, the debug binary; what CI runs to keep this working.
--only patients: just the patients comparison; --only convert: just convert --to sqlite against
  sqlite3 .import and the psql restore, on every profile.
--only legacy: the profiles' comparisons, not the inspect forms, RSS growth, patients or full scale.
--profiles a,b: only those profiles. --linear: also convert a 4x input of every profile (long).
--only skew: shapes of legacy data the generator never makes (bench/skew.py plants them into a
  lean-scattered dump of 4,000 genes; quick: 300): one gene with many scattered rows, PMIDs, GO
  terms, drugs or ids of one layout, rows of one gene that disagree, one value of many MB, one
  symbol on many genes. Each skew at 1x and 10x (tx 3,000 and 30,000 rows, ...), convert --to
  sqlite, convert --to bundle and inspect on each and on the unskewed base. The growth of a
  skew's extra cost, (t10x - tbase) / (t1x - tbase) with a noise floor under the divisor (see
  skew_growth), is about 10 when the cost is linear and 100 when it is quadratic; above 15 it is a
  miss, and so is a peak RSS above 300 MB. The counts skew.py planted (its OUT.planted.json, from
  the rules of docs/spec.md) must be in the SQLite output, or the run stops. About 3 minutes on 2
  cores; part of the full run, before full scale.
"""
import argparse
import glob
import hashlib
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


def warm(path):
    """Reads a file once, so that the timed commands find it in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


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
    return timing(name, times, max(rss))


def timing(name, times, peak_rss):
    """The result of runs named `name` that took `times` seconds, logged: their median counts."""
    result = {"name": name, "median_s": statistics.median(times), "runs_s": times, "peak_rss_bytes": peak_rss}
    log(f"  {name}: {result['median_s']:.3f} s, peak RSS {peak_rss / 1e6:.1f} MB")
    return result


GENERATED = {}


# name -> (generate options, genes per MB of plain dump, measured with the release binary).
PROFILES = {
    "today": ([], 22.0),
    "scattered": (["--row-order", "scattered"], 22.0),
    "lean-scattered": (["--profile", "lean", "--row-order", "scattered"], 172.0),
    "fat-scattered": (["--profile", "fat", "--row-order", "scattered"], 4.9),
}


def generate(binary, genes, patients=0, formats="plain", seed=1, patient_rows=None, patient_dialects=None, profile="today"):
    # --clean: no planted invalid rows, so that PostgreSQL restores the same dump the converter reads.
    name = f"gen-s{seed}-g{genes}-p{patients}" + ("" if profile == "today" else f"-{profile}")
    options = list(PROFILES[profile][0])
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
            # No autovacuum: after a restore it would vacuum and analyze the GB just loaded (the
            # inserts pass its thresholds) on the cores that the runs timed next use.
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{self.dir}'\nport = 5432\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nmaintenance_work_mem = '512MB'\nautovacuum = off\n")
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
    parser.add_argument("--genes", type=int, default=None, help="genes of every profile's input (default: --size-mb worth)")
    parser.add_argument("--size-mb", type=float, default=None, help="plain dump size per profile (default 1000; quick: 1.5)")
    parser.add_argument("--profiles", default=None, help=f"comma-separated profiles (default: all of {','.join(PROFILES)})")
    parser.add_argument("--linear", action="store_true", help="also convert a 4x input of every profile (linear cost check)")
    parser.add_argument("--large-genes", type=int, default=None, help="genes of the RSS-growth input (about 4 GB)")
    parser.add_argument("--full-scale", action="store_true",
                        help="also generate and convert --genes 77114 of every profile (--profiles; the fat one is about 22 GB)")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--only", choices=["patients", "convert", "legacy", "full-scale", "skew"],
                        help="run one comparison (its inputs are cached like the others); convert: convert sqlite against "
                             "sqlite3 .import and the psql restore; legacy: every profile's comparisons, nothing else; "
                             "skew: skewed legacy data at 1x and 10x (bench/skew.py)")
    args = parser.parse_args()
    quick = args.quick
    reps = 1 if quick else args.reps
    binary = os.path.join(ROOT, ".build", "debug" if quick else "release", "mediabase")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: run `{'swift build' if quick else 'make build'}` first")
    os.makedirs(WORK, exist_ok=True)
    if args.only == "patients":
        scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)
        patients_result = bench_patients(binary, quick, reps, scratch, args.skip_duckdb)
        patients_result["facts"].update({"quick": quick, "reps": reps, "generated": GENERATED})
        finish(patients_result["results"], patients_result["ratios"], patients_result["facts"], scratch)
        return
    if args.only == "skew":
        scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)
        results, ratios, facts = {}, [], {"quick": quick, "reps": reps}
        bench_skew(binary, quick, reps, scratch, results, ratios, facts)
        facts["generated"] = GENERATED
        finish(results, ratios, facts, scratch)
        return
    profiles = args.profiles.split(",") if args.profiles else list(PROFILES)
    unknown = [name for name in profiles if name not in PROFILES]
    if unknown:
        sys.exit(f"unknown profile {', '.join(unknown)}; use {', '.join(PROFILES)}")
    if args.only == "full-scale":
        scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)
        results, facts = {}, {"quick": quick, "reps": 1}
        bench_full_scale(binary, profiles, scratch, results, facts)
        facts["generated"] = GENERATED
        finish(results, [], facts, scratch)
        return
    # Quick: a few MB per profile, seconds each with the debug binary.
    size_mb = args.size_mb or (1.5 if quick else 1000)
    genes_of = {name: args.genes or max(8, round(size_mb * PROFILES[name][1])) for name in profiles}
    results, ratios, facts = {}, [], {"quick": quick, "reps": reps, "profiles": {}}
    scratch = tempfile.mkdtemp(prefix="mediabase-bench-", dir=WORK)
    postgres = Postgres()
    try:
        for name in profiles:
            files = bench_profile(binary, name, genes_of[name], reps, scratch, postgres, results, ratios, facts,
                                  only_convert=args.only == "convert", linear=args.linear and not quick)
            if name == "today":
                today_files = files
    finally:
        postgres.stop()
    if args.only in ("convert", "legacy") or "today" not in profiles:
        facts["generated"] = GENERATED
        finish(results, ratios, facts, scratch)
        return
    dump, core, custom = today_files
    today_facts = facts["profiles"]["today"]

    log("inspect throughput by input form (today)")
    gzipped = os.path.join(scratch, "mbase.sql.gz")
    subprocess.run(f"gzip -1 -c '{dump}' > '{gzipped}'", shell=True, check=True)
    for name, path in (("today: inspect (gzip)", gzipped), ("today: inspect (custom)", custom)):
        results[name] = measure(name, [binary, "inspect", path, "--progress", "never"], reps, ok_codes=(0, 2))
    for name in ("today: inspect", "today: inspect (gzip)", "today: inspect (custom)"):
        # MB/s of the dump's uncompressed size, so the forms compare.
        today_facts[f"{name.split(': ')[1]} MB/s"] = round(today_facts["dump_bytes"] / 1e6 / results[name]["median_s"], 1)

    if not quick:
        name = "today: convert sqlite (4x input)"
        if name not in results or args.large_genes:
            # Without --linear (which converted it already), the 4x input just for peak RSS.
            large = os.path.join(generate(binary, args.large_genes or genes_of["today"] * 4), "mbase.sql")
            facts["large_dump_bytes"] = os.path.getsize(large)
            results[name] = measure(name, [binary, "convert", large, "--to", "sqlite", core, "--force", "--progress", "never",
                                           "--report", os.path.join(scratch, "r4.json")], 1,
                                    prepare=lambda: os.path.exists(core) and os.unlink(core))
        growth = results[name]["peak_rss_bytes"] / results["today: convert sqlite"]["peak_rss_bytes"] - 1
        ratios.append({"profile": "today", "name": "convert RSS growth 1x -> 4x input", "growth": round(growth, 3),
                       "target": "<= 0.10", "met": growth <= 0.10})

    patients_result = bench_patients(binary, quick, reps, scratch, args.skip_duckdb)
    results.update(patients_result["results"])
    ratios += patients_result["ratios"]
    facts.update(patients_result["facts"])

    bench_skew(binary, quick, reps, scratch, results, ratios, facts)

    if args.full_scale:
        bench_full_scale(binary, profiles, scratch, results, facts)

    facts["generated"] = GENERATED
    finish(results, ratios, facts, scratch)


def bench_full_scale(binary, profiles, scratch, results, facts):
    """The real database's size (`--genes 77114`) of each profile, converted once to SQLite and
    once to a bundle: time, MB/s, peak RSS and output size against the input. Results
    are named "full-scale PROFILE: convert TARGET". The fat profile's dump is about 22 GB."""
    for profile in profiles:
        log(f"full scale, profile {profile}: generate --genes 77114")
        full = generate(binary, 77114, profile=profile)
        full_dump = os.path.join(full, "mbase.sql")
        dump_bytes = os.path.getsize(full_dump)
        facts.setdefault("full_scale", {})[profile] = {
            "dump_bytes": dump_bytes,
            "generate": GENERATED.get(os.path.basename(full), "cached (delete bench/work to time it)")}
        for target in ("sqlite", "bundle"):
            output = os.path.join(scratch, f"full-{profile}.{target}")
            name = f"full-scale {profile}: convert {target}"
            results[name] = measure(name, [binary, "convert", full_dump, "--to", target, output, "--force", "--progress", "never",
                                           "--report", os.path.join(scratch, f"full-{profile}-{target}.json")], 1)
            results[name]["mb_per_s"] = round(dump_bytes / 1e6 / results[name]["median_s"], 1)
            size = os.path.getsize(output) if os.path.isfile(output) else sum(
                os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(output) for f in fs)
            results[name]["output_bytes"] = size
            results[name]["output_to_input"] = round(size / dump_bytes, 3)
            # Only the figures are kept: a full-size output of the fat profile is gigabytes.
            shutil.rmtree(output, ignore_errors=True) if os.path.isdir(output) else os.remove(output)


def bench_profile(binary, profile, genes, reps, scratch, postgres, results, ratios, facts, only_convert, linear):
    """The legacy-table comparisons on one profile; results and ratios are named "PROFILE: ...".
    Returns the dump, the converted core and a custom-format dump of the restored database."""
    data = generate(binary, genes, formats="plain,csv", profile=profile)
    dump = os.path.join(data, "mbase.sql")
    csv = os.path.join(data, "cancer_transcript_base.csv")
    with open(os.path.join(data, "expected.json")) as handle:
        rows = json.load(handle)["legacy"]["rows"]
    own = {"genes": genes, "rows": rows, "dump_bytes": os.path.getsize(dump), "csv_bytes": os.path.getsize(csv),
           "bytes_per_row": round(os.path.getsize(dump) / max(rows, 1))}
    facts["profiles"][profile] = own
    log(f"profile {profile}: {dump} ({own['dump_bytes'] / 1e6:.1f} MB, {rows} rows)")
    # Every tool reads its input from the page cache: the dump and the CSV are read once first,
    # untimed (a profile generated before the others may have been evicted since, and `wc -l`,
    # timed first, would pay the disk reads alone).
    for path in (dump, csv):
        warm(path)
    prefix = f"{profile}: "

    def timed(name, command, **kwargs):
        results[prefix + name] = measure(prefix + name, command, reps, **kwargs)

    def compare(name, reference, target):
        item = ratio(results, prefix + name, prefix + reference, target)
        item.update({"profile": profile, "name": name, "reference": reference})
        ratios.append(item)

    if not only_convert:
        timed("wc -l", ["wc", "-l", dump])
        timed("inspect", [binary, "inspect", dump, "--progress", "never"], ok_codes=(0, 2))
        compare("inspect", "wc -l", 3.0)

    raw = os.path.join(scratch, "raw.sqlite")
    timed("sqlite3 .import", ["sqlite3", raw, f".import --csv {csv} raw"], prepare=lambda: os.path.exists(raw) and os.unlink(raw))
    core = os.path.join(scratch, f"core-{profile}.sqlite")
    # Like .import's raw table, the previous run's output is removed before each run (untimed):
    # replacing a 0.5 GB file costs the kernel a few tenths of a second that a first run does not pay.
    convert = [binary, "convert", dump, "--to", "sqlite", core, "--force", "--progress", "never",
               "--report", os.path.join(scratch, "r.json")]
    timed("convert sqlite", convert, prepare=lambda: os.path.exists(core) and os.unlink(core))
    compare("convert sqlite", "sqlite3 .import", 1.5)
    createdb = postgres.client("psql") + " -q -d postgres -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'"
    timed("psql restore", f"{postgres.client('psql')} -q -X -v ON_ERROR_STOP=1 -d bench -f '{dump}' > /dev/null", shell=True,
          prepare=lambda: subprocess.run(createdb, shell=True, check=True, capture_output=True))
    compare("convert sqlite", "psql restore", 0.25)
    custom = None
    if profile == "today" and not only_convert:
        custom = os.path.join(scratch, "mbase.dump")
        subprocess.run(f"{postgres.client('pg_dump')} -Fc -d bench -f '{custom}'", shell=True, check=True, capture_output=True)
    # The restored database goes, and what the server still holds in its buffers is written now,
    # not during the runs timed next.
    subprocess.run(postgres.client("psql") + " -q -d postgres -c 'DROP DATABASE IF EXISTS bench' -c 'CHECKPOINT'", shell=True, check=True, capture_output=True)
    own["core_bytes"] = os.path.getsize(core)
    own["convert_peak_rss_bytes"] = results[prefix + "convert sqlite"]["peak_rss_bytes"]
    ratios.append({"profile": profile, "name": "convert peak RSS", "value_mb": round(own["convert_peak_rss_bytes"] / 1e6, 1),
                   "target": "<= 300 MB", "met": own["convert_peak_rss_bytes"] <= 300e6})
    # The limit is a budget, not only the default's: once under a smaller one (the output is the
    # same; the run may take its slower paths).
    tight = TIGHT_LIMIT_MB * 1e6
    name = f"convert sqlite --memory-limit {TIGHT_LIMIT_MB}MB"
    results[prefix + name] = measure(prefix + name, convert + ["--memory-limit", f"{TIGHT_LIMIT_MB}MB"], 1,
                                     prepare=lambda: os.path.exists(core) and os.unlink(core))
    own["tight_limit_peak_rss_bytes"] = results[prefix + name]["peak_rss_bytes"]
    ratios.append({"profile": profile, "name": f"convert peak RSS under --memory-limit {TIGHT_LIMIT_MB}MB",
                   "value_mb": round(own["tight_limit_peak_rss_bytes"] / 1e6, 1), "target": f"<= {TIGHT_LIMIT_MB} MB",
                   "met": own["tight_limit_peak_rss_bytes"] <= tight})

    if not only_convert:
        timed("gzip -6", f"gzip -6 -c '{dump}' > /dev/null", shell=True)
        bundle = os.path.join(scratch, "bundle")
        timed("convert bundle", [binary, "convert", dump, "--to", "bundle", bundle, "--force", "--progress", "never",
                                 "--report", os.path.join(scratch, "rb.json")], prepare=lambda: shutil.rmtree(bundle, ignore_errors=True))
        compare("convert bundle", "gzip -6", 1.0)
        own["bundle_bytes"] = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(bundle) for f in fs)
        shutil.rmtree(bundle, ignore_errors=True)

    if linear:
        # Linear cost: 4x the genes against 1x, the median of --reps runs of each, the two inputs
        # taking turns within each repetition (as the skew runs do): the 2-core machine's speed
        # drifts by 10 % over the minutes that lie between the 1x runs above and a 4x run after
        # them (today's 1x: 10.1 s, then 11.3 s half an hour later), and a drift between them
        # moved the ratio by more than its distance to the target.
        large = os.path.join(generate(binary, linear_genes(binary, genes, profile, own["dump_bytes"]), profile=profile), "mbase.sql")
        own["linear_4x_dump_bytes"] = os.path.getsize(large)
        # Read once first, untimed, as the 1x dump was: a 4x input evicted by what ran since
        # made its first run the slowest (fat: 93 s against 80-82 s; today 61.6 s against 48 s).
        warm(large)
        inputs = {"convert sqlite (1x input, beside the 4x)": (dump, "r1.json"), "convert sqlite (4x input)": (large, "r4.json")}
        times = {name: [] for name in inputs}
        peaks = {name: 0 for name in inputs}
        for _ in range(reps):
            for name, (path, report) in inputs.items():
                os.path.exists(core) and os.unlink(core)
                os.sync()
                seconds, peak = run_timed([binary, "convert", path, "--to", "sqlite", core, "--force", "--progress", "never",
                                           "--report", os.path.join(scratch, report)])
                times[name].append(seconds)
                peaks[name] = max(peaks[name], peak)
        for name in inputs:
            results[prefix + name] = timing(prefix + name, times[name], peaks[name])
        value = results[prefix + "convert sqlite (4x input)"]["median_s"] / max(results[prefix + "convert sqlite (1x input, beside the 4x)"]["median_s"], 1e-9)
        size = own["linear_4x_dump_bytes"] / own["dump_bytes"]
        ratios.append({"profile": profile, "name": "convert sqlite 4x input / 1x input", "ratio": round(value, 3), "target": 4.4,
                       "met": value <= 4.4, "note": f"input {size:.2f}x"})
    if profile != "today":
        os.path.exists(core) and os.unlink(core)
    return dump, core, custom


def linear_genes(binary, genes, profile, dump_bytes):
    """The genes of the linear check's 4x input: 4x the genes, unless that dump is not within 2 %
    of 4x the 1x dump's bytes (the generator's rows per gene and bytes per row drift with the
    gene count: fat rows gave 4.23x the bytes for 4x the genes); then the genes that make 4x the
    bytes, found from that dump's size once and kept in bench/work/linear-genes.json, and the
    dump of 4x the genes removed."""
    record = os.path.join(WORK, "linear-genes.json")
    known = json.load(open(record)) if os.path.exists(record) else {}
    key = f"{profile}-{genes}"
    if key in known:
        return known[key]
    folder = generate(binary, genes * 4, profile=profile)
    ratio = os.path.getsize(os.path.join(folder, "mbase.sql")) / dump_bytes
    chosen = genes * 4
    if abs(ratio - 4) > 0.08:
        chosen = round(genes * 4 * 4 / ratio)
        log(f"  4x the genes made {ratio:.2f}x the bytes: the linear check's input has {chosen} genes")
        shutil.rmtree(folder, ignore_errors=True)
    known[key] = chosen
    with open(record, "w") as out:
        json.dump(known, out, indent=1, sort_keys=True)
    return chosen


# The smaller --memory-limit each profile is also converted under (docs/benchmarks.md).
TIGHT_LIMIT_MB = 200

# variant -> N of the 1x input and of --quick's (the 10x input has 10 N); bench/skew.py says
# what N counts. The full sizes are those at which stress runs found superlinear costs; conflict's
# 5,000 rows of one gene (more than any real gene has) let a quadratic cost stand out of the noise.
SKEWS = {
    "tx": (3000, 30),
    "pmids": (5000, 50),
    "go": (3000, 30),
    "drugs": (2000, 20),
    "arr": (3000, 30),
    "conflict": (500, 10),
    "big": (2048, 32),
    "sym": (300, 3),
}
# Genes of the lean-scattered base dump (about 23 MB; quick: 300, under 2 MB): small, so that the
# skews' cost is not lost beside the base's.
SKEW_GENES = (4000, 300)
SKEW_COMMANDS = ("convert sqlite", "convert bundle", "inspect")
# A linear cost grows 10 x with a 10 x skew, n log n about 13 x, a quadratic one 100 x.
SKEW_GROWTH_LIMIT = 15
SKEW_RSS_LIMIT = 300e6

# bench/skew.py's "expect" names -> the query that finds each in the SQLite core, with
# planted.json's fields as parameters.
SKEW_CHECKS = {
    "transcripts": "SELECT count(*) FROM transcripts WHERE gene_id = :gene_id",
    "genes_of_id": "SELECT count(*) FROM genes WHERE gene_id = :gene_id",
    "gene_symbol": "SELECT gene_symbol FROM genes WHERE gene_id = :gene_id",
    "genes_of_symbol": "SELECT count(*) FROM genes WHERE gene_symbol = :gene_symbol",
    "gene_publications": "SELECT count(*) FROM gene_publications WHERE gene_id = :gene_id",
    "transcript_go_terms": "SELECT count(*) FROM transcript_go_terms JOIN transcripts USING (transcript_id) WHERE gene_id = :gene_id",
    "gene_drug_interactions": "SELECT count(*) FROM gene_drug_interactions WHERE gene_id = :gene_id",
    "gene_pathways": "SELECT count(*) FROM gene_pathways WHERE gene_id = :gene_id",
    "gene_cross_references": "SELECT count(*) FROM gene_cross_references WHERE gene_id = :gene_id",
    "transcript_cross_references": "SELECT count(*) FROM transcript_cross_references JOIN transcripts USING (transcript_id) "
                                   "WHERE gene_id = :gene_id",
    "features_bytes": "SELECT max(length(CAST(value_json AS BLOB))) FROM gene_extras WHERE gene_id = :gene_id AND field = 'features'",
    "expression_freq_bytes": "SELECT max(length(CAST(value_json AS BLOB))) FROM gene_extras "
                             "WHERE gene_id = :gene_id AND field = 'expression_freq'",
}


def bench_skew(binary, quick, reps, scratch, results, ratios, facts):
    """Every skew of SKEWS at 1x and 10x beside the unskewed base: convert sqlite, convert bundle
    and inspect on each. Results are named "skew VARIANT INPUT: COMMAND" (INPUT base, 1x or 10x);
    the growth and peak RSS ratios carry "skew": VARIANT; facts["skew"] holds the tables."""
    genes = SKEW_GENES[1 if quick else 0]
    base = os.path.join(generate(binary, genes, profile="lean-scattered"), "mbase.sql")
    inputs = skewed_inputs(base, genes, quick)
    own = facts["skew"] = {"genes": genes, "base_dump_bytes": os.path.getsize(base), "variants": {}}
    log(f"skew: base {base} ({own['base_dump_bytes'] / 1e6:.1f} MB)")
    for variant, (one, ten) in inputs.items():
        log(f"skew {variant}")
        runs, planted = measure_skew(binary, variant, {"base": (base, None), "1x": one, "10x": ten}, reps, scratch, results)
        table = {}
        for command in SKEW_COMMANDS:
            seconds = {label: runs[label][command]["median_s"] for label in runs}
            growth = skew_growth(seconds["base"], seconds["1x"], seconds["10x"])
            peak = max(runs[label][command]["peak_rss_bytes"] for label in ("1x", "10x"))
            table[command] = {"base_s": seconds["base"], "1x_s": seconds["1x"], "10x_s": seconds["10x"],
                              "growth": round(growth, 2), "peak_rss_mb": round(peak / 1e6, 1)}
            ratios.append({"skew": variant, "name": f"{command} extra cost 10x / 1x", "ratio": round(growth, 2),
                           "target": SKEW_GROWTH_LIMIT, "met": growth <= SKEW_GROWTH_LIMIT})
            ratios.append({"skew": variant, "name": f"{command} peak RSS", "value_mb": round(peak / 1e6, 1),
                           "target": f"<= {SKEW_RSS_LIMIT / 1e6:.0f} MB", "met": peak <= SKEW_RSS_LIMIT})
        own["variants"][variant] = {"n_1x": planted["1x"]["n"], "n_10x": planted["10x"]["n"],
                                    "dump_bytes_1x": os.path.getsize(one[0]), "dump_bytes_10x": os.path.getsize(ten[0]),
                                    "where": planted["10x"]["where"], "checked_10x": planted["10x"]["expect"],
                                    "commands": table}


def skewed_inputs(base, genes, quick):
    """variant -> the 1x and 10x (dump, planted.json) pairs that bench/skew.py makes from base.
    They are cached under bench/work in a folder named for skew.py's bytes and the base dump, so
    that an edited skew.py or a regenerated base makes them again; older folders are removed."""
    script = os.path.join(ROOT, "bench", "skew.py")
    digest = hashlib.sha256()
    with open(script, "rb") as handle:
        digest.update(handle.read())
    digest.update(f"{base} {os.path.getsize(base)} {os.stat(base).st_mtime_ns}".encode())
    folder = os.path.join(WORK, f"skew-g{genes}-{digest.hexdigest()[:12]}")
    for stale in glob.glob(os.path.join(WORK, f"skew-g{genes}-*")):
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    inputs = {}
    for variant, sizes in SKEWS.items():
        pairs = []
        for n in (sizes[1 if quick else 0], 10 * sizes[1 if quick else 0]):
            dump = os.path.join(folder, f"{variant}-{n}.sql")
            planted = os.path.join(folder, f"{variant}-{n}.planted.json")
            # skew.py writes planted.json last: its presence means the dump is whole.
            if not os.path.exists(planted):
                log(f"skew.py {variant} {n} into {dump}")
                subprocess.run([sys.executable, script, base, dump, variant, str(n)], check=True)
            pairs.append((dump, planted))
        inputs[variant] = tuple(pairs)
    return inputs


def measure_skew(binary, variant, inputs, reps, scratch, results):
    """convert sqlite, convert bundle and inspect of each input ({label: (dump, planted.json or
    None)}), named "skew VARIANT LABEL: COMMAND" in results. The inputs take turns within each
    repetition, so that load from elsewhere on the machine falls on all of them alike (the growth
    compares differences of their times). Every SQLite output of a planted input must hold what
    bench/skew.py planted. Returns {label: {command: result}} and {label: planted.json}."""
    core = os.path.join(scratch, "skew.sqlite")
    bundle = os.path.join(scratch, "skew.bundle")
    report = os.path.join(scratch, "skew-report.json")
    times = {(label, command): [] for label in inputs for command in SKEW_COMMANDS}
    peaks = {key: 0 for key in times}
    planted = {}
    for _ in range(reps):
        for label, (dump, planted_path) in inputs.items():
            os.path.exists(core) and os.unlink(core)
            shutil.rmtree(bundle, ignore_errors=True)
            commands = {
                "convert sqlite": [binary, "convert", dump, "--to", "sqlite", core, "--force", "--progress", "never", "--report", report],
                "convert bundle": [binary, "convert", dump, "--to", "bundle", bundle, "--force", "--progress", "never", "--report", report],
                "inspect": [binary, "inspect", dump, "--progress", "never"],
            }
            for command in SKEW_COMMANDS:
                os.sync()  # as measure() does: no write-back of the previous run pending
                # Exit status 2: inspect found something to report, which is not a failure here.
                seconds, peak = run_timed(commands[command], ok_codes=(0, 2) if command == "inspect" else (0,))
                times[label, command].append(seconds)
                peaks[label, command] = max(peaks[label, command], peak)
            if planted_path:
                planted[label] = check_planted(core, planted_path)
    os.path.exists(core) and os.unlink(core)
    shutil.rmtree(bundle, ignore_errors=True)
    runs = {label: {} for label in inputs}
    for (label, command), seconds in times.items():
        name = f"skew {variant} {label}: {command}"
        runs[label][command] = results[name] = timing(name, seconds, peaks[label, command])
    return runs, planted


def check_planted(core, planted_path):
    """The SQLite core must hold the counts bench/skew.py planted: they come from skew.py, never
    from mediabase, so a skew that loses or duplicates rows stops the run. Returns planted.json."""
    with open(planted_path) as handle:
        planted = json.load(handle)
    database = sqlite3.connect(core)
    problems = []
    for check, expected in sorted(planted["expect"].items()):
        found = database.execute(SKEW_CHECKS[check], planted).fetchone()[0]
        if found != expected:
            problems.append(f"{check} {found}, planted {expected}")
    database.close()
    if problems:
        raise RuntimeError(f"{core} does not hold what bench/skew.py planted ({planted_path}): " + "; ".join(problems))
    return planted


def skew_growth(base, one, ten):
    """How much a skew's extra cost over the base grew from the 1x to the 10x input. The ratio of
    extra costs, not t10x / t1x, which stays near 1 wherever the base's cost hides the skew's.
    A 1x extra below a tenth of the base time (at least 0.05 s) is noise on a shared machine and
    counts as that floor: a quadratic cost is still caught once its 10x extra passes 1.5 floors,
    while noise alone would have to add 15 floors to the 10x run."""
    floor = max(0.1 * base, 0.05)
    return (ten - base) / max(one - base, floor)


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
    # The skews' figures are in tables of their own below.
    listed = {name: result for name, result in results.items() if not name.startswith("skew ")}
    if listed:
        print()
        print(f"{'command':48} {'median s':>10} {'peak RSS MB':>12}")
    for name, result in listed.items():
        print(f"{name:48} {result['median_s']:10.3f} {result['peak_rss_bytes'] / 1e6:12.1f}")
    for profile, own in facts.get("profiles", {}).items():
        print(f"\n{profile}: {own['dump_bytes'] / 1e6:.1f} MB plain dump, {own['rows']} rows, {own['bytes_per_row']} bytes per row")
        print_ratios([item for item in ratios if item.get("profile") == profile])
    if "skew" in facts:
        print_skew(facts["skew"])
    others = [item for item in ratios if "profile" not in item and "skew" not in item]
    if others:
        print()
        print_ratios(others)
    print()
    print("facts: " + ", ".join(f"{key}={value}" for key, value in sorted(facts.items()) if key not in ("profiles", "skew")))


def print_skew(own):
    """One table per skew: median seconds of the base, 1x and 10x inputs, the growth of the
    skew's extra cost and the peak RSS of both inputs; MISS where either is over its limit."""
    print(f"\nskews of a {own['base_dump_bytes'] / 1e6:.1f} MB lean-scattered dump of {own['genes']} genes "
          f"(growth <= {SKEW_GROWTH_LIMIT}, peak RSS <= {SKEW_RSS_LIMIT / 1e6:.0f} MB; planted counts found in the SQLite output)")
    for variant, skew in own["variants"].items():
        print(f"\n{variant} {skew['n_1x']} -> {skew['n_10x']}: {skew['dump_bytes_1x'] / 1e6:.1f} / "
              f"{skew['dump_bytes_10x'] / 1e6:.1f} MB, {skew['where']}")
        print(f"  {'command':16} {'base s':>8} {'1x s':>8} {'10x s':>8} {'growth':>8} {'peak RSS MB':>12}  met")
        for command, row in skew["commands"].items():
            misses = [what for what, missed in (("growth", row["growth"] > SKEW_GROWTH_LIMIT),
                                                ("RSS", row["peak_rss_mb"] > SKEW_RSS_LIMIT / 1e6)) if missed]
            mark = f"MISS ({', '.join(misses)})" if misses else "ok"
            print(f"  {command:16} {row['base_s']:8.3f} {row['1x_s']:8.3f} {row['10x_s']:8.3f} {row['growth']:8.2f} "
                  f"{row['peak_rss_mb']:12.1f}  {mark}")


def print_ratios(items):
    """One line per ratio with its target; a miss is marked MISS."""
    print(f"  {'ratio':52} {'value':>8} {'target':>10}  met")
    for item in items:
        label = f"{item['name']} / {item['reference']}" if "reference" in item else item["name"]
        value = item.get("ratio", item.get("growth", item.get("value_mb")))
        mark = "n/a" if item["met"] is None else "ok" if item["met"] else "MISS"
        note = f"  ({item['note']})" if item.get("note") else ""
        print(f"  {label:52} {str(value):>8} {str(item['target']):>10}  {mark}{note}")


if __name__ == "__main__":
    main()
