#!/usr/bin/env bash
# Starts (or stops) a throwaway MariaDB server on loopback for the tests.
#   tools/testenv/mariadb.sh start <state-dir> <port>   prints the server URL
#   tools/testenv/mariadb.sh stop  <state-dir>
# The data directory lives in <state-dir>/mariadb, owned by the unprivileged
# mysql user when run as root. Durability is off (no binlog, no flush at
# commit, no doublewrite): it holds only test data. The server defaults match
# what tokkit documents for production: utf8mb4 with a binary collation,
# InnoDB, strict SQL mode.
set -euo pipefail
cmd=$1
state=$2
port=${3:-53306}
data="$state/mariadb"

case "$cmd" in
  start)
    mkdir -p "$data"
    run_as=()
    if [[ $(id -u) -eq 0 ]]; then
      chown mysql "$data"
      chmod 755 "$state"
      run_as=(--user=mysql)
    fi
    if [[ ! -d "$data/db/mysql" ]]; then
      mariadb-install-db --no-defaults "${run_as[@]}" --datadir="$data/db" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$state/mariadb-install.log" 2>&1
    fi
    mariadbd --no-defaults "${run_as[@]}" --datadir="$data/db" \
      --socket="$data/mariadb.sock" --pid-file="$data/mariadb.pid" \
      --port="$port" --bind-address=127.0.0.1 \
      --log-error="$data/mariadb.log" \
      --skip-log-bin --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
      --innodb-doublewrite=0 --innodb-buffer-pool-size=256M \
      --innodb-log-file-size=64M --max-connections=1000 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      --sql-mode=STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION \
      --skip-name-resolve >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 300); do
      if mariadb --no-defaults -uroot --socket="$data/mariadb.sock" \
        -e "SELECT 1" >/dev/null 2>&1; then
        mariadb --no-defaults -uroot --socket="$data/mariadb.sock" <<SQL
CREATE USER IF NOT EXISTS 'tokkit'@'127.0.0.1' IDENTIFIED BY 'tokkit';
GRANT ALL PRIVILEGES ON *.* TO 'tokkit'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS tokkit;
SQL
        echo "mysql://tokkit:tokkit@127.0.0.1:$port/tokkit"
        exit 0
      fi
      # A busy port makes the server exit at once.
      kill -0 "$server" 2>/dev/null || exit 1
      sleep 0.2
    done
    exit 1
    ;;
  stop)
    if [[ -f "$data/mariadb.pid" ]]; then
      pid=$(cat "$data/mariadb.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    ;;
  *)
    echo "usage: $0 start|stop <state-dir> [port]" >&2
    exit 2
    ;;
esac
