#!/usr/bin/env bash
# The dashboard and the alerts only name metrics a running tokkit_server
# exports, and the files parse: a renamed metric fails here, not on call.
set -euo pipefail
data="$TEST_TMPDIR/server"
log="$TEST_TMPDIR/server.log"
services/tokkit_server/tokkit_server --listen=127.0.0.1:0 --data_dir="$data" \
  --metrics_listen=127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "metrics on" "$log" && break
  sleep 0.1
done
addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log")
metrics=$(sed -n 's/.*metrics on \(http[^ ]*\).*/\1/p' "$log")
[[ -n "$addr" && -n "$metrics" ]] || { cat "$log"; exit 1; }
# Some traffic, so per-RPC, login and payment series exist.
examples/grpc_client/grpc_client --server="$addr" --username=monitor >/dev/null
python3 - "$metrics" tools/monitoring <<'PY'
import json, re, sys, urllib.request
url, root = sys.argv[1], sys.argv[2]
exported = set()
for line in urllib.request.urlopen(url).read().decode().splitlines():
    if line.startswith("# TYPE "):
        exported.add(line.split()[2])
dashboard = json.load(open(f"{root}/grafana-dashboard.json"))
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
alerts = open(f"{root}/alerts.yml").read()
assert "groups:" in alerts and "alert: TokkitDown" in alerts
exprs += re.findall(r"expr: *\|?\n?((?:.*\n)*?)\s+(?:for|labels):", alerts)
used = set()
for e in exprs:
    for name in re.findall(r"\b((?:tokkit|process)_[a-z0-9_]+)", e):
        used.add(re.sub(r"_(bucket|sum|count)$", "", name))
# Series that appear once the event they count first happens.
on_first_event = {"tokkit_payments_total", "tokkit_refunds_total",
                  "tokkit_orders_closed_total", "tokkit_db_reconnects_total",
                  "tokkit_db_transaction_retries_total",
                  "tokkit_event_deliveries_total", "tokkit_event_failures_total",
                  "tokkit_event_dead_letters_total"}
missing = sorted(n for n in used if n not in exported and n not in on_first_event)
assert not missing, f"not exported: {missing}"
print(f"{len(used)} metrics used, all exported")
PY
