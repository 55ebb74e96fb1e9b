#!/usr/bin/env bash
# Page benchmarks on PostgreSQL (see bench/pages.py). Arguments: none; tune with
# BENCH_COUPLES and BENCH_REPEAT.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kapcouples}"
exec .venv/bin/python bench/pages.py
