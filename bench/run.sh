#!/usr/bin/env bash
# make bench / make bench-quick: side-by-side timings and ratios; see bench/bench.py --help.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/bench.py "$@"
