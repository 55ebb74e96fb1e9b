#!/usr/bin/env bash
# The embedded demo: SQLite, kombu's filesystem broker, demo data, Django's server
# and a Celery worker with beat. Nothing to install besides the venv.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG=1
export KAP_REQUIRE_STAFF_2FA="${KAP_REQUIRE_STAFF_2FA:-0}"  # demo logins work without a phone
export EMAIL_URL="${EMAIL_URL:-consolemail://}"
PORT="${PORT:-8000}"

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_demo

mkdir -p var
.venv/bin/celery -A kapcouples worker --beat --pool=solo --loglevel=WARNING \
  --without-gossip --without-mingle >var/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  KAP Couples is running at http://127.0.0.1:$PORT/
  Every demo login uses the password demo-pass-2026:
    staff:    clinician@demo.kap  prescriber@demo.kap  frontdesk@demo.kap  admin@demo.kap
    partners: alex@demo.kap sam@demo.kap (couple 1)  jordan@demo.kap riley@demo.kap (couple 2)
              jamie.brooks@demo.kap quinn.brooks@demo.kap (a whole program: chart, plots)
              morgan.chen@demo.kap lee.chen@demo.kap (an at-home session under way)
    outside prescriber: outside@demo.kap (couple 1 only)
  Celery worker and beat log to var/celery.log; emails print on this console.
  Press Ctrl+C to stop.

MSG
.venv/bin/python manage.py runserver "127.0.0.1:$PORT"
