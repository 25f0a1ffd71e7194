#!/usr/bin/env bash
# Starts (or stops) a throwaway S3-compatible server (s3rver, from npm,
# locked in tools/testenv/s3/package-lock.json) on loopback for the tests.
# It checks SigV4 signatures with the access key and secret "S3RVER".
#   tools/testenv/s3.sh start <state-dir> <port>   prints the endpoint URL
#   tools/testenv/s3.sh stop  <state-dir>
set -euo pipefail
cmd=$1
state=$2
port=${3:-24568}
here=$(cd "$(dirname "$0")" && pwd)
case "$cmd" in
  start)
    if [[ ! -x "$here/s3/node_modules/.bin/s3rver" ]]; then
      npm ci --prefix "$here/s3" --no-audit --no-fund >&2
    fi
    mkdir -p "$state/s3/data"
    nohup "$here/s3/node_modules/.bin/s3rver" -d "$state/s3/data" \
      -a 127.0.0.1 -p "$port" --silent --no-vhost-buckets \
      >"$state/s3/s3rver.log" 2>&1 &
    echo $! >"$state/s3/s3rver.pid"
    for _ in $(seq 1 100); do
      if ! kill -0 "$(cat "$state/s3/s3rver.pid")" 2>/dev/null; then
        exit 1 # exited: port busy
      fi
      if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    exit 1
    ;;
  stop)
    if [[ -f "$state/s3/s3rver.pid" ]]; then
      kill "$(cat "$state/s3/s3rver.pid")" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop <state-dir> [port]" >&2
    exit 2
    ;;
esac
