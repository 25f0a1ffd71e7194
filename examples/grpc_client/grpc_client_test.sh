#!/usr/bin/env bash
set -euo pipefail
data="$TEST_TMPDIR/server"
log="$TEST_TMPDIR/server.log"
services/tokkit_server/tokkit_server --listen=127.0.0.1:0 --data_dir="$data" >"$log" 2>&1 &
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
kill -TERM $server
wait $server
grep -q "shutting down" "$log"
