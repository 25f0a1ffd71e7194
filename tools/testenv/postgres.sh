#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback for the tests.
#   tools/testenv/postgres.sh start <state-dir> <port>   prints the server URL
#   tools/testenv/postgres.sh stop  <state-dir>
# The cluster lives in <state-dir>/pg, owned by an unprivileged user (initdb
# refuses root), with fsync off: it holds only test data.
set -euo pipefail
cmd=$1
state=$2
port=${3:-55432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
data="$state/pg"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    mkdir -p "$state"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$state"; chmod 755 "$state"; fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
      as_owner "$PGBIN/initdb" -D "$data" -A trust -U tokkit --no-sync -E UTF8 >/dev/null
    fi
    as_owner "$PGBIN/pg_ctl" -D "$data" -l "$state/pg.log" -w -t 60 \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
      start >/dev/null
    as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U tokkit tokkit 2>/dev/null || true
    echo "postgresql://tokkit@127.0.0.1:$port/tokkit"
    ;;
  stop)
    if [[ -f "$data/postmaster.pid" ]]; then
      as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop <state-dir> [port]" >&2
    exit 2
    ;;
esac
