#!/usr/bin/env python3
"""`mediabase serve` under wrk, side by side with Datasette serving the same files.

    python3 bench/serve.py [--genes 2000] [--patients 10] [--duration 10] [--connections 16]

Generates a core and patients with `mediabase generate --clean` (cached in bench/work/), starts
the release binary's `serve` and `datasette serve --crossdb` with the equivalent SQL as canned
queries, and runs wrk (bounded by --duration, on loopback) on:
* /api/v1/transcripts?patient_id=P&fold_change_min=2&limit=100 — the full nested transcripts;
  Datasette's canned query builds the same nested fields with json_group_array subqueries;
* a comparison of 9 patients with fold_change_min=2&limit=100 on both (Datasette's --crossdb
  attaches at most 10 files: the core and 9 patients), and of 10 on mediabase alone.
Prints requests/s, p50/p99 latency, each server's peak RSS and mediabase's start-up time, the
ratios, and marks the misses of the targets (docs/benchmarks.md): p99 <= 50 ms, more requests/s than
Datasette, peak RSS <= 300 MB. Writes bench/work/serve-results.json. Needs wrk (Debian's
package); Datasette comes from PyPI, installed by this script into bench/work/venv (or
--datasette names one). `make bench` runs it at full scale: --genes 77114 --patients 100.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(command, **kwargs):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def prepare(binary, genes, patients):
    """The core and patient files, generated once per size."""
    work = os.path.join(ROOT, "bench", "work", f"serve-g{genes}-p{patients}")
    core = os.path.join(work, "core.sqlite")
    folder = os.path.join(work, "patients")
    if os.path.exists(os.path.join(folder, "report.json")):
        return core, folder
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # About 1 transcript in 30 stored per patient, as a real patient of ~10K of ~300K.
    rows = max(100, genes * 5 // 30)
    run([binary, "generate", "--seed", "6", "--genes", str(genes), "--patients", str(patients), "--clean",
         "--patient-rows", str(rows), "--patient-dialects", "linear-csv", "--out", os.path.join(work, "generated")])
    run([binary, "convert", os.path.join(work, "generated", "mbase.sql"), "--to", "sqlite", core, "--progress", "never"])
    run([binary, "patients", "--manifest", os.path.join(work, "generated", "patients", "patients.csv"), "--core", core,
         "--to", "sqlite", folder, "--progress", "never"], cwd=os.path.join(work, "generated", "patients"))
    return core, folder


def datasette_command():
    """Datasette from PyPI in bench/work/venv, installed there on first use."""
    venv = os.path.join(ROOT, "bench", "work", "venv")
    program = os.path.join(venv, "bin", "datasette")
    if not os.path.exists(program):
        os.makedirs(os.path.dirname(venv), exist_ok=True)
        if not os.path.exists(os.path.join(venv, "bin", "python")):
            run([sys.executable, "-m", "venv", venv])
        print("installing datasette from PyPI into bench/work/venv", file=sys.stderr, flush=True)
        run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "datasette"])
    return program


def wait_for(url, process, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"no answer from {url} within {seconds} s")


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url, connections, duration):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency", url],
                         check=True, capture_output=True, text=True, timeout=duration + 30).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": latency.get("50"), "p99_ms": latency.get("99"), "non_2xx": int(errors.group(1)) if errors else 0}


def transcripts_sql(patient):
    return f"""
SELECT t.transcript_id, g.gene_symbol, t.gene_id, g.gene_type, g.chromosome, pe.expression_fold_change,
  (SELECT json_group_array(product_type) FROM (SELECT product_type FROM core.transcript_products p
     WHERE p.transcript_id = t.transcript_id ORDER BY 1)) AS product_type,
  (SELECT json_group_array(json_object('go_id', go_id, 'name', go_term, 'category', go_category)) FROM
     (SELECT * FROM core.transcript_go_terms go WHERE go.transcript_id = t.transcript_id ORDER BY go_id)) AS go_terms,
  (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(p.pathway_name, p.pathway_id) AS name
     FROM core.gene_pathways gp JOIN core.pathways p USING (pathway_id) WHERE gp.gene_id = t.gene_id ORDER BY 1)) AS pathways,
  (SELECT json_group_object(d.drug_name, json_object('drug_id', d.source_drug_id, 'interaction_type', l.interaction_type,
     'source', d.source_database)) FROM core.gene_drug_interactions l JOIN core.drug_interactions d USING (drug_interaction_id)
     WHERE l.gene_id = t.gene_id) AS drugs,
  (SELECT json_group_array(annotation_value) FROM core.gene_annotations a
     WHERE a.gene_id = t.gene_id AND a.annotation_type = 'molecular_function') AS molecular_functions,
  (SELECT json_group_array(annotation_value) FROM core.gene_annotations a
     WHERE a.gene_id = t.gene_id AND a.annotation_type = 'cellular_location') AS cellular_location
FROM {patient}.expression_data pe JOIN core.transcripts t USING (transcript_id) JOIN core.genes g USING (gene_id)
WHERE pe.expression_fold_change >= :fold_change_min
ORDER BY pe.expression_fold_change DESC, t.transcript_id LIMIT 100"""


def compare_sql(schemas, ids):
    union = " UNION ".join(f"SELECT transcript_id FROM {s}.expression_data WHERE expression_fold_change >= :fold_change_min" for s in schemas)
    values = ", ".join(f"'{i}', coalesce((SELECT expression_fold_change FROM {s}.expression_data e WHERE e.transcript_id = x.transcript_id), 1.0)"
                       for s, i in zip(schemas, ids))
    return f"""
SELECT x.transcript_id, g.gene_symbol, t.gene_id, json_object({values}) AS fold_changes
FROM ({union}) x JOIN core.transcripts t USING (transcript_id) JOIN core.genes g USING (gene_id)
ORDER BY x.transcript_id LIMIT 100"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--genes", type=int, default=2000)
    parser.add_argument("--patients", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="worker threads of both servers")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "mediabase"))
    parser.add_argument("--datasette", default=None, help="the datasette program (default: bench/work/venv's, installed from PyPI)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/serve.py needs wrk: apt-get install wrk (.ci/install-deps.sh installs it)")
    datasette_program = args.datasette or datasette_command()
    if args.patients < 10:
        sys.exit("--patients must be at least 10 (the comparison of 10)")

    args.bin = os.path.abspath(args.bin)
    core, folder = prepare(args.bin, args.genes, args.patients)
    files = sorted(f for f in os.listdir(folder) if f.startswith("patient_") and f.endswith(".sqlite"))[:10]
    schemas = [f[:-len(".sqlite")] for f in files]
    ids = []
    for f in files:
        with open(os.devnull) as null:
            ids.append(subprocess.run(["sqlite3", os.path.join(folder, f), "SELECT patient_id FROM metadata"],
                                      check=True, capture_output=True, text=True, stdin=null).stdout.strip())
    work = os.path.dirname(core)

    log = open(os.path.join(work, "serve.log"), "w+")
    started = time.monotonic()
    mediabase = subprocess.Popen([args.bin, "serve", "--core", core, "--patients", folder, "--port", "0",
                                  "--threads", str(args.threads)], stdout=log, stderr=log)
    metadata = {"databases": {"_memory": {"queries": {
        "transcripts": {"sql": transcripts_sql(schemas[0])},
        "compare": {"sql": compare_sql(schemas[:9], ids[:9])},
    }}}}
    with open(os.path.join(work, "datasette.json"), "w") as out:
        json.dump(metadata, out)
    datasette = subprocess.Popen([datasette_program, "serve", "--crossdb", "-i", core] + sum((["-i", os.path.join(folder, f)] for f in files[:9]), [])
                                 + ["--port", "18931", "--metadata", os.path.join(work, "datasette.json"),
                                    "--setting", "num_sql_threads", str(args.threads), "--setting", "sql_time_limit_ms", "5000"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        base = None
        while base is None and time.time() < deadline:
            log.seek(0)
            found = re.search(r"listening on (http://\S+)", log.read())
            base = found.group(1) if found else time.sleep(0.1)
        if base is None:
            sys.exit("mediabase serve printed no address")
        wait_for(base + "/health", mediabase)
        startup_s = time.monotonic() - started
        ds = "http://127.0.0.1:18931"
        wait_for(ds + "/-/versions.json", datasette)

        cases = [
            ("transcripts, full nested, fold_change_min=2",
             f"{base}/api/v1/transcripts?patient_id={ids[0]}&fold_change_min=2&limit=100",
             f"{ds}/_memory/transcripts.json?fold_change_min=2&_shape=array"),
            ("compare 9 patients, fold_change_min=2",
             f"{base}/api/v1/patients/compare?patient_ids={','.join(ids[:9])}&fold_change_min=2&limit=100",
             f"{ds}/_memory/compare.json?fold_change_min=2&_shape=array"),
            ("compare 10 patients, fold_change_min=2",
             f"{base}/api/v1/patients/compare?patient_ids={','.join(ids[:10])}&fold_change_min=2&limit=100", None),
        ]
        results = []
        for name, ours, theirs in cases:
            a = fetch(ours)
            rows = len(a) if isinstance(a, list) else len(a["transcripts"])
            row = {"case": name, "rows": rows, "mediabase": wrk(ours, args.connections, args.duration)}
            if theirs:
                b = fetch(theirs)
                if len(b) != rows:
                    sys.exit(f"{name}: mediabase gives {rows} rows, Datasette {len(b)}")
                row["datasette"] = wrk(theirs, args.connections, args.duration)
            results.append(row)
        rss = {"mediabase_mb": peak_rss_mb(mediabase.pid), "datasette_mb": peak_rss_mb(datasette.pid)}
        load = os.getloadavg()
    finally:
        for process in (mediabase, datasette):
            process.send_signal(signal.SIGTERM)
        for process in (mediabase, datasette):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    print(f"{args.genes} genes, {args.patients} patients, {args.connections} connections, {args.duration} s per run, "
          f"{args.threads} threads each, wrk on loopback; load average {load[0]:.1f} at the end")
    print(f"{'case':45} {'server':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    misses = []
    for row in results:
        for server in ("mediabase", "datasette"):
            if server in row:
                r = row[server]
                print(f"{row['case']:45} {server:10} {r['requests_per_s']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['non_2xx']:8}")
        ours = row["mediabase"]
        if ours["p99_ms"] > 50:
            misses.append(f"{row['case']}: p99 {ours['p99_ms']:.1f} ms > 50 ms")
        if ours["non_2xx"]:
            misses.append(f"{row['case']}: {ours['non_2xx']} answers not 2xx")
        if "datasette" in row:
            row["ratio"] = ours["requests_per_s"] / row["datasette"]["requests_per_s"]
            print(f"{'':45} {'ratio':10} {row['ratio']:8.2f}x")
            if row["ratio"] <= 1:
                misses.append(f"{row['case']}: {row['ratio']:.2f}x Datasette's requests/s, not more")
    print(f"peak RSS: mediabase {rss['mediabase_mb']:.0f} MB, datasette {rss['datasette_mb']:.0f} MB; "
          f"mediabase answered /health {startup_s:.2f} s after it was started")
    if rss["mediabase_mb"] > 300:
        misses.append(f"peak RSS {rss['mediabase_mb']:.0f} MB > 300 MB")
    for miss in misses:
        print(f"MISS: {miss}")
    print("targets (p99 <= 50 ms, more req/s than Datasette, RSS <= 300 MB): " + ("all met" if not misses else f"{len(misses)} missed"))
    with open(os.path.join(ROOT, "bench", "work", "serve-results.json"), "w") as out:
        json.dump({"genes": args.genes, "patients": args.patients, "connections": args.connections,
                   "duration_s": args.duration, "threads": args.threads, "results": results, "peak_rss": rss,
                   "startup_s": startup_s, "load_average": load, "misses": misses}, out, indent=2)


if __name__ == "__main__":
    main()
