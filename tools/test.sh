#!/usr/bin/env bash
# Runs every tokkit test on a fresh Debian bookworm machine:
# installs what is missing, starts a throwaway PostgreSQL and Redis on
# loopback so the contract tests run on every backend, runs `bazel test //...`, and
# prints one line 'N passed, N failed' computed from the test reports.
# Extra arguments go to bazel test (e.g. a target pattern).
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh --with-test-servers || exit 1

state=$(mktemp -d /tmp/tokkit-test-servers.XXXXXX)
port=${TOKKIT_TEST_PG_PORT:-55432}
redis_port=${TOKKIT_TEST_REDIS_PORT:-56379}
cleanup() {
  tools/testenv/postgres.sh stop "$state" || true
  tools/testenv/redis.sh stop "$state" || true
  rm -rf "$state"
}
trap cleanup EXIT

pg_url=$(tools/testenv/postgres.sh start "$state" "$port") || {
  echo "could not start PostgreSQL; see $state/pg.log" >&2
  cat "$state/pg.log" >&2 || true
  exit 1
}
export TOKKIT_TEST_POSTGRES="$pg_url"
redis_url=$(tools/testenv/redis.sh start "$state" "$redis_port") || {
  echo "could not start Redis" >&2
  exit 1
}
export TOKKIT_TEST_REDIS="$redis_url"
export TOKKIT_TEST_REQUIRE_ALL_BACKENDS=1

# Arguments starting with '-' are bazel flags; the rest are target patterns.
targets=()
flags=()
for arg in "$@"; do
  if [[ "$arg" == -* ]]; then flags+=("$arg"); else targets+=("$arg"); fi
done
if ((${#targets[@]} == 0)); then targets=(//...); fi

bazel test --keep_going "${flags[@]}" "${targets[@]}"
rc=$?

mapfile -t tests < <(bazel query "tests(set(${targets[*]}))" 2>/dev/null)
python3 tools/testenv/summarize.py "$(bazel info bazel-testlogs 2>/dev/null)" "${tests[@]}"
exit $rc
