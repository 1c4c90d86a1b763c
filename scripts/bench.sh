#!/bin/sh
# Run every benchmark of docs/performance.md on the large dataset and rewrite
# that file's table. The dataset is generated through the core once and cached
# under target/bench-data/ (about 2 minutes the first time).
#
#   scripts/bench.sh            everything, rewrites docs/performance.md
#   scripts/bench.sh functions  only some sections (startup server ondemand functions
#                               session import size); prints, writes nothing
#
# Needs ripgrep (`rg`) for the comparison and /usr/bin/time for the import's memory.
set -eu
cd "$(dirname "$0")/.."
exec nice -n 5 cargo bench --bench perf -- "$@"
