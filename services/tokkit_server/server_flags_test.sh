#!/usr/bin/env bash
# The server binary's operator-facing behaviour: credentials in the database
# URL never reach its output or logs, bad flags fail fast with a message,
# JSON logs are one object per line; the binary runs on every database.
set -euo pipefail
server=services/tokkit_server/tokkit_server
out="$TEST_TMPDIR/out.log"
# Any failing command names itself and shows the server's output, so a CI
# failure is never an empty log.
trap 'rc=$?; echo "failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2; cat "$out" >&2' ERR

wait_for() {  # wait_for <file> <text>
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2
  return 1  # the ERR trap shows the server's output
}

# Bad flags: a clear message, a non-zero exit, no start.
if "$server" --data_dir="$TEST_TMPDIR/bad" --trusted_proxies=proxy.example.com \
    >"$out" 2>&1; then
  echo "expected --trusted_proxies=proxy.example.com to be refused" >&2
  exit 1
fi
grep -q -- "--trusted_proxies: trusted proxy 'proxy.example.com'" "$out"
if "$server" --data_dir="$TEST_TMPDIR/bad" --log_format=xml >"$out" 2>&1; then
  exit 1
fi
grep -q "unknown log format 'xml'" "$out"

# A database URL with a password (PostgreSQL from the test environment
# accepts any password) is shown redacted.
if [[ -n "${TOKKIT_TEST_POSTGRES:-}" ]]; then
  url="${TOKKIT_TEST_POSTGRES/postgresql:\/\/tokkit@/postgresql://tokkit:hunter2-secret@}"
  "$server" --listen=127.0.0.1:0 --data_dir="$TEST_TMPDIR/pg" \
    --database_url="$url" --log_format=json >"$out" 2>&1 &
  pid=$!
  wait_for "$out" "listening on"
  kill -TERM $pid
  wait $pid
  if grep -q "hunter2-secret" "$out"; then
    echo "the database password was printed:" >&2
    cat "$out" >&2
    exit 1
  fi
  grep -q 'tokkit:\*\*\*@' "$out"
  # Every log line is a JSON object.
  grep '^{' "$out" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
events = {l["event"] for l in lines}
assert "server_started" in events, events
assert all("ts" in l and "level" in l for l in lines)
'
elif [[ "${TOKKIT_TEST_REQUIRE_ALL_BACKENDS:-}" == "1" ]]; then
  echo "TOKKIT_TEST_POSTGRES is not set" >&2
  exit 1
fi

# The same binary on MySQL/MariaDB: it migrates, serves, and redacts.
if [[ -n "${TOKKIT_TEST_MYSQL:-}" ]]; then
  "$server" --listen=127.0.0.1:0 --data_dir="$TEST_TMPDIR/my" \
    --database_url="$TOKKIT_TEST_MYSQL" >"$out" 2>&1 &
  pid=$!
  wait_for "$out" "listening on"
  kill -TERM $pid
  wait $pid
  password=$(sed -E 's|^[a-z]+://[^:]*:([^@]*)@.*|\1|' <<<"$TOKKIT_TEST_MYSQL")
  if grep -q -- ":$password@" "$out"; then
    echo "the database password was printed:" >&2
    cat "$out" >&2
    exit 1
  fi
  grep -q 'mysql://tokkit:\*\*\*@' "$out"
elif [[ "${TOKKIT_TEST_REQUIRE_ALL_BACKENDS:-}" == "1" ]]; then
  echo "TOKKIT_TEST_MYSQL is not set" >&2
  exit 1
fi
echo PASS
