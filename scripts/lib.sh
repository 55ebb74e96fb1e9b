# Shell helpers for scripts/test.sh and .ci/run (sourced, not run).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

port_open() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# Waits up to 10 minutes for another apt or dpkg run to let go of its lock.
APT_WAIT=(-o DPkg::Lock::Timeout=600)

apt_install() {
  if [ -z "${KAP_APT_UPDATED:-}" ]; then
    as_root apt-get "${APT_WAIT[@]}" update -qq
    export KAP_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_WAIT[@]}" install -y -qq \
    --no-install-recommends "$@" >/dev/null
}

# Debian's Chromium for the browser tests; fonts so pages render legibly; Pango, which
# WeasyPrint draws the PDF documents with; npm, which installs axe-core for the
# accessibility checks; GNU gettext, with which the tests check the translation catalogue.
ensure_debian_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_throwaway_postgres() {
  local dir="$1/pg" port="$2" bin
  bin=$(postgres_bin)
  if [ -z "$bin" ]; then
    apt_install postgresql
    bin=$(postgres_bin)
  fi
  mkdir -p "$dir/data" "$dir/sock"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb and pg_ctl refuse to run as root.
    chown -R postgres "$dir"
    chmod 755 "$1"
    run=(su postgres -s /bin/sh -c)
  else
    run=(sh -c)
  fi
  "${run[@]}" "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >$dir/initdb.log"
  "${run[@]}" "$bin/pg_ctl -D $dir/data -w -l $dir/server.log -o '-p $port -c listen_addresses=127.0.0.1 -k $dir/sock -c fsync=off' start >/dev/null"
  echo "Started a throwaway PostgreSQL on port $port"
}

start_throwaway_redis() {
  local dir="$1/redis" port="$2"
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  echo "Started a throwaway Redis on port $port"
}

stop_throwaway_services() {
  local dir="$1" bin
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    bin=$(postgres_bin)
    if [ "$(id -u)" -eq 0 ]; then
      su postgres -s /bin/sh -c "$bin/pg_ctl -D $dir/pg/data -m fast stop >/dev/null" || true
    else
      "$bin/pg_ctl" -D "$dir/pg/data" -m fast stop >/dev/null || true
    fi
  fi
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
}
