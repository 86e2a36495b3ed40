#!/usr/bin/env bash
# make bench / make bench-quick: side-by-side timings and ratios; see bench/bench.py --help.
# With --full-scale (make bench) the HTTP API comes after: bench/serve.py on the full-size core
# and 100 patients, side by side with Datasette (see bench/serve.py --help). --quick runs no
# server bench; --quick also runs bench/ab.py once on the bundled fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 bench/bench.py "$@"
for argument in "$@"; do
    if [ "$argument" = "--full-scale" ]; then
        python3 bench/serve.py --genes 77114 --patients 100 --duration 15
    fi
    if [ "$argument" = "--quick" ]; then
        # Keeps the A/B helper working: one run of the debug binary on the bundled fixture.
        python3 bench/ab.py fixtures/generated/seed1-genes12/mbase.sql .build/debug/mediabase --reps 1 > /dev/null
    fi
done
