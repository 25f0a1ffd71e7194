#!/usr/bin/env bash
set -euo pipefail
data="$TEST_TMPDIR/server"
log="$TEST_TMPDIR/server.log"
services/tokkit_server/tokkit_server --listen=127.0.0.1:0 --data_dir="$data" \
  --metrics_listen=127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log")
[[ -n "$addr" ]] || { cat "$log"; exit 1; }
out=$(examples/grpc_client/grpc_client --server="$addr" --username=smoke_user)
echo "$out"
grep -q "registered smoke_user" <<<"$out"
grep -q "GetUser without a token: missing bearer token" <<<"$out"
grep -q "avatar uploaded: yes" <<<"$out"
grep -q "after refresh, GetUser says I am smoke_user" <<<"$out"
grep -q "^done$" <<<"$out"
# The metrics port shows per-RPC counts and latency histograms.
metrics=$(sed -n 's/.*metrics on \(http[^ ]*\).*/\1/p' "$log")
[[ -n "$metrics" ]] || { cat "$log"; exit 1; }
python3 - "$metrics" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1]).read().decode()
register = 'method="/tokkit.account.v1.AccountService/Register"'
assert 'tokkit_rpc_requests_total{code="OK",' + register in text, text[:2000]
assert 'tokkit_rpc_duration_seconds_bucket{' + register in text, text[:2000]
assert 'code="UNAUTHENTICATED"' in text  # GetUser without a token
for name in ("process_resident_memory_bytes", "tokkit_task_runs_total",
             "tokkit_db_pool_wait_seconds_bucket", "tokkit_logins_total",
             "tokkit_outbox_lag_seconds"):
    assert name in text, name
PY
kill -TERM $server
wait $server
grep -q "shutting down" "$log"
