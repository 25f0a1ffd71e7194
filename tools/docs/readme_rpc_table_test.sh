#!/usr/bin/env bash
# Fails, naming them, when an RPC of proto/ is missing from the README's
# table (regenerate it with tools/docs/rpc_table.py).
set -euo pipefail
exec python3 tools/docs/rpc_table.py --check README.md \
  proto/tokkit/*/v1/*.proto
