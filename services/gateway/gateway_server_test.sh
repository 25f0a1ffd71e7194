#!/usr/bin/env bash
# The HTTP gateway as operators run it: built into tokkit_server
# (--http_listen) and as its own process in front of a server (--upstream),
# driven with curl the way the README shows.
set -euo pipefail
server=services/tokkit_server/tokkit_server
gateway=services/gateway/gateway_server
tmp="$TEST_TMPDIR"

wait_for() {  # wait_for <file> <regex>
  for _ in $(seq 1 150); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

"$server" --data_dir="$tmp/data" --listen=127.0.0.1:0 \
  --http_listen=127.0.0.1:0 --metrics_listen= >"$tmp/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid ${gateway_pid:-} 2>/dev/null || true' EXIT
wait_for "$tmp/server.log" "listening on"
grpc_port=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/server.log")
http_port=$(sed -nE 's#.*HTTP on http://127\.0\.0\.1:([0-9]+)/.*#\1#p' "$tmp/server.log")

json=(-sS -H 'content-type: application/json')
curl "${json[@]}" -d '{"username":"alice","email":"alice@example.com","password":"blue-kettle-42"}' \
  "http://127.0.0.1:$http_port/tokkit.account.v1.AccountService/Register" >"$tmp/register.json"
grep -q '"username":"alice"' "$tmp/register.json"

"$gateway" --upstream="127.0.0.1:$grpc_port" --http_listen=127.0.0.1:0 \
  --metrics_listen= >"$tmp/gateway.log" 2>&1 &
gateway_pid=$!
wait_for "$tmp/gateway.log" "HTTP on"
gw_port=$(sed -nE 's#.*HTTP on http://127\.0\.0\.1:([0-9]+)/.*#\1#p' "$tmp/gateway.log")

curl "${json[@]}" -d '{"login":"alice","password":"blue-kettle-42"}' \
  "http://127.0.0.1:$gw_port/tokkit.account.v1.AccountService/Login" >"$tmp/login.json"
grep -q '"accessToken"' "$tmp/login.json"
# Errors are Connect errors with their HTTP status.
code=$(curl "${json[@]}" -o "$tmp/err.json" -w '%{http_code}' \
  -d '{"login":"alice","password":"wrong-password-1"}' \
  "http://127.0.0.1:$gw_port/tokkit.account.v1.AccountService/Login")
[[ "$code" == 401 ]]
grep -q '"code":"unauthenticated"' "$tmp/err.json"
# Media through the standalone gateway: a missing video is a 404.
code=$(curl -sS -o /dev/null -w '%{http_code}' \
  "http://127.0.0.1:$gw_port/media/v1/videos/12345")
[[ "$code" == 404 ]]

# Both stop cleanly on SIGTERM.
kill -TERM $gateway_pid
wait $gateway_pid
kill -TERM $server_pid
wait $server_pid
trap - EXIT
echo PASS
