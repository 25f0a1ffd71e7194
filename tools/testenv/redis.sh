#!/usr/bin/env bash
# Starts (or stops) a throwaway Redis on loopback for the tests.
#   tools/testenv/redis.sh start <state-dir> <port>   prints the server URL
#   tools/testenv/redis.sh stop  <state-dir>
set -euo pipefail
cmd=$1
state=$2
port=${3:-56379}
case "$cmd" in
  start)
    mkdir -p "$state/redis"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize yes --dir "$state/redis" --pidfile "$state/redis/redis.pid" \
      --logfile "$state/redis/redis.log" >/dev/null
    # A busy port makes the daemonized server exit: wait for ours (its pid
    # file names a live process) to answer, else fail.
    for _ in $(seq 1 50); do
      if [[ -f "$state/redis/redis.pid" ]] &&
        kill -0 "$(cat "$state/redis/redis.pid")" 2>/dev/null &&
        redis-cli -p "$port" ping >/dev/null 2>&1; then
        echo "redis://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    exit 1
    ;;
  stop)
    if [[ -f "$state/redis/redis.pid" ]]; then
      kill "$(cat "$state/redis/redis.pid")" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop <state-dir> [port]" >&2
    exit 2
    ;;
esac
