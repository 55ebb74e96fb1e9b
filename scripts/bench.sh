#!/usr/bin/env bash
# The page and write benchmark (bench/pages.py): fills kapcouples_bench_full and
# kapcouples_bench_tenth on the local PostgreSQL if needed, loads the app under gunicorn
# with wrk, writes a report to bench/results/. Never part of `make test`.
#
#   scripts/bench.sh [--scale 1] [--small-scale 0.1] [--duration 10] [--connections 8]
#
# Needs PostgreSQL on BENCH_PG (default postgres://postgres@127.0.0.1:5432) and Redis on
# BENCH_REDIS (default redis://127.0.0.1:6379/0); installs wrk when it is missing.
# Exits non-zero when a page's query count differs between the two scales.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null
fi
mkdir -p var/bench

stop_servers() {
  # The gunicorns bench/pages.py started, should it have died without stopping them.
  if [ -f var/bench/servers.pid ]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null || true
    done < var/bench/servers.pid
    rm -f var/bench/servers.pid
  fi
}
trap stop_servers EXIT

.venv/bin/python bench/pages.py "$@"
