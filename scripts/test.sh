#!/usr/bin/env bash
# Runs the whole test suite on real PostgreSQL and Redis (and Debian's Chromium).
#
# Uses DATABASE_URL / REDIS_URL when set; otherwise the servers on the standard
# local ports; otherwise starts throwaway ones in a temporary folder (installing
# Debian's packages when the binaries are missing) and stops them afterwards.
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_debian_packages
workdir=$(mktemp -d -t kapcouples-test.XXXXXX)
cleanup() { stop_throwaway_services "$workdir"; rm -rf "$workdir"; }
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  if port_open 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/kapcouples"
  else
    start_throwaway_postgres "$workdir" 54329
    export DATABASE_URL="postgres://postgres@127.0.0.1:54329/kapcouples"
  fi
fi
if [ -z "${REDIS_URL:-}" ]; then
  if port_open 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  else
    start_throwaway_redis "$workdir" 63799
    export REDIS_URL="redis://127.0.0.1:63799/0"
  fi
fi
echo "Tests use PostgreSQL at ${DATABASE_URL%%\?*} and Redis at $REDIS_URL"
set +e
.venv/bin/pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
exit $status
