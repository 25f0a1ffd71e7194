#!/usr/bin/env bash
# Runs every tokkit test on a fresh Debian bookworm machine: installs what is
# missing, starts a throwaway PostgreSQL, MariaDB, Redis and S3-compatible
# server (s3rver, from npm) on loopback so the contract tests run on every
# backend, then runs, in order:
#   plain    bazel test //...
#   browser  examples/web driven in Debian's chromium by
#            examples/web/test/browser_test.mjs (one check per step);
#            screenshots go to $TOKKIT_ARTIFACTS/browser (default
#            ./test-artifacts/browser)
#   asan     bazel test --config=asan //...        (AddressSanitizer, LSan)
#   tsan     bazel test --config=tsan <concurrent code>  (ThreadSanitizer +
#            UndefinedBehaviorSanitizer)
#   fuzz     each libFuzzer target for $TOKKIT_FUZZ_SECONDS (default 10) on a
#            copy of its seed corpus
#   lint     tools/lint/clang_tidy.sh (started after the plain run, in the
#            background at the lowest priority)
#   secrets  no test log holds a test password, a bearer token or a planted
#            secret
# and prints one line 'N passed, N failed' adding up the real results: every
# test case of every bazel run, plus one per fuzzer, lint and secrets check.
#
#   tools/test.sh [bazel flags] [target patterns]
# Targets narrow the plain, asan and tsan runs. TOKKIT_TEST_PHASES picks the
# phases (default: "plain browser asan tsan fuzz lint secrets").
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh --with-test-servers || exit 1

phases=" ${TOKKIT_TEST_PHASES:-plain browser asan tsan fuzz lint secrets} "
fuzz_seconds=${TOKKIT_FUZZ_SECONDS:-10}
lint_pid=""
# The code with threads of its own and the tests that race it (likes,
# follows, coupons, orders, payments, chat streams, the relay and the
# dispatcher, the pool and group commit, id leases, login storms, the for-you
# candidate sources, the access-state cache); the rest is single-threaded
# in tests and would only double the TSan run's time. The examples and the
# shop's gRPC layer run in the plain and ASan runs: they only call the
# library, whose races lib/order's tests run here.
tsan_default=(//lib/core/... //lib/store/... //lib/redis/... //lib/social/...
  //lib/order/... //lib/account:sql_repository_test //lib/feed:view_counter_test
  //lib/feed:feed_service_test //lib/feed:candidate_sources_test
  //lib/account:access_state_cache_test //lib/account:account_service_test
  //services/social/... //services/account:login_storm_test)

state=$(mktemp -d /tmp/tokkit-test-servers.XXXXXX)
tally="$state/tally"
# Default ports sit below Linux's ephemeral range (32768-60999), where an
# outgoing connection can hold a port for a moment; a busy port is retried.
port=${TOKKIT_TEST_PG_PORT:-25432}
redis_port=${TOKKIT_TEST_REDIS_PORT:-26379}
mysql_port=${TOKKIT_TEST_MYSQL_PORT:-23306}
s3_port=${TOKKIT_TEST_S3_PORT:-24568}
cleanup() {
  tools/testenv/postgres.sh stop "$state" || true
  tools/testenv/mariadb.sh stop "$state" || true
  tools/testenv/redis.sh stop "$state" || true
  tools/testenv/s3.sh stop "$state" || true
  rm -rf "$state"
}
trap cleanup EXIT

# start_server <postgres|mariadb|redis|s3> <first port>: prints the URL.
start_server() {
  local kind=$1 p=$2 url
  for attempt in 1 2 3 4 5; do
    if url=$(tools/testenv/$kind.sh start "$state" "$p"); then
      echo "$url"
      return 0
    fi
    echo "$kind: port $p unavailable, trying another" >&2
    p=$((20000 + RANDOM % 12000))
  done
  return 1
}
pg_url=$(start_server postgres "$port") || {
  echo "could not start PostgreSQL; see $state/pg.log" >&2
  cat "$state/pg.log" >&2 || true
  exit 1
}
export TOKKIT_TEST_POSTGRES="$pg_url"
mysql_url=$(start_server mariadb "$mysql_port") || {
  echo "could not start MariaDB; see $state/mariadb/mariadb.log" >&2
  cat "$state/mariadb/mariadb.log" >&2 || true
  exit 1
}
export TOKKIT_TEST_MYSQL="$mysql_url"
redis_url=$(start_server redis "$redis_port") || {
  echo "could not start Redis" >&2
  exit 1
}
export TOKKIT_TEST_REDIS="$redis_url"
s3_url=$(start_server s3 "$s3_port") || {
  echo "could not start the S3 test server; see $state/s3/s3rver.log" >&2
  cat "$state/s3/s3rver.log" >&2 || true
  exit 1
}
export TOKKIT_TEST_S3="$s3_url"
export TOKKIT_TEST_REQUIRE_ALL_BACKENDS=1

# Arguments starting with '-' are bazel flags; the rest are target patterns.
targets=()
flags=()
for arg in "$@"; do
  if [[ "$arg" == -* ]]; then flags+=("$arg"); else targets+=("$arg"); fi
done

repo=$PWD
started=$SECONDS
timing=()
note_time() { timing+=("$1 $((SECONDS - $2))s"); }
banner() { printf '\n=== %s ===\n' "$*" >&2; }

# bazel_phase <label> <config flags...> -- <targets...>
testlog_dirs=()
bazel_phase() {
  local label=$1 t0=$SECONDS cfg=()
  shift
  while [[ "$1" != "--" ]]; do cfg+=("$1"); shift; done
  shift
  banner "$label: bazel test ${cfg[*]} $*"
  bazel test --keep_going "${cfg[@]}" "${flags[@]}" "$@" 2>&1 |
    tee "$state/$label.out" >&2
  # A target can fail after all its cases passed (a leak report at exit):
  # bazel's own FAILED lines catch that.
  grep -oE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|INCOMPLETE)' "$state/$label.out" |
    awk '{print $1}' | sort -u >"$state/$label.failed"
  local logs
  logs=$(bazel info "${cfg[@]}" bazel-testlogs 2>/dev/null)
  testlog_dirs+=("$logs")
  mapfile -t tests < <(bazel query "tests(set($*))" 2>/dev/null)
  python3 tools/testenv/summarize.py --record --failed-targets \
    "$state/$label.failed" "$tally" "$label" "$logs" "${tests[@]}" >&2
  note_time "$label" "$t0"
}

if [[ "$phases" == *" plain "* ]]; then
  bazel_phase plain -- "${targets[@]:-//...}"
fi
# clang-tidy needs only the plain build's generated headers, so it runs from
# here in the background at the lowest CPU priority, on the cycles the
# later phases leave idle (tests waiting on servers and sleeps, a fuzzer's
# one core); the lint phase below waits for it. bazel-bin is resolved now:
# later bazel commands hold the server lock.
if [[ "$phases" == *" lint "* && "$phases" == *" plain "* ]]; then
  bazel build //... >/dev/null 2>&1
  banner "lint: clang-tidy started in the background"
  BAZEL_BIN=$(bazel info bazel-bin 2>/dev/null) nice -n 19 \
    tools/lint/clang_tidy.sh >"$state/lint.log" 2>&1 &
  lint_pid=$!
fi
if [[ "$phases" == *" browser "* ]]; then
  t0=$SECONDS
  banner "browser: examples/web in chromium"
  artifacts="${TOKKIT_ARTIFACTS:-$repo/test-artifacts}/browser"
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  web_test=examples/web/test
  # npm ci installs exactly the locked playwright-core; it downloads no
  # browser (the test launches /usr/bin/chromium).
  if tools/install_deps.sh --with-browser &&
    npm ci --prefix "$web_test" --no-audit --no-fund >&2 &&
    bazel build //services/tokkit_server:tokkit_server >&2; then
    server_bin="$(bazel info bazel-bin 2>/dev/null)/services/tokkit_server/tokkit_server"
    node "$web_test/browser_test.mjs" --server "$server_bin" \
      --web-root examples/web --media testdata/media \
      --artifacts "$artifacts" 2>&1 | tee "$artifacts/test.log" >&2
  else
    echo "not ok - setup: could not install chromium, playwright-core or build the server" |
      tee "$artifacts/test.log" >&2
  fi
  # One check per step the script reports; a script that reported nothing
  # is one failure.
  grep -E '^(not )?ok - ' "$artifacts/test.log" | while read -r line; do
    name=${line#*ok - }
    name=${name%%:*}
    if [[ "$line" == ok* ]]; then outcome=pass; else outcome=fail; fi
    python3 tools/testenv/summarize.py --check "$tally" "browser:$name" "$outcome"
  done
  grep -qE '^(not )?ok - ' "$artifacts/test.log" ||
    python3 tools/testenv/summarize.py --check "$tally" browser fail
  note_time browser "$t0"
fi
if [[ "$phases" == *" asan "* ]]; then
  # Only what the tests need: the benchmarks and servers are built (and
  # linted) by the plain run; sanitizing them too cost minutes of CI.
  bazel_phase asan --config=asan --build_tests_only -- "${targets[@]:-//...}"
fi
if [[ "$phases" == *" tsan "* ]]; then
  if ((${#targets[@]})); then
    bazel_phase tsan --config=tsan --build_tests_only -- "${targets[@]}"
  else
    bazel_phase tsan --config=tsan -- "${tsan_default[@]}"
  fi
fi

if [[ "$phases" == *" fuzz "* ]]; then
  t0=$SECONDS
  # The whole-server fuzzer builds every service a second time with clang
  # (minutes of CI) for ~4,000 inputs in 10 s; its corpus still runs in the
  # plain and ASan runs, and TOKKIT_FUZZ_ALL=1 fuzzes it here too.
  query='attr(tags, "\bfuzzer\b", //...)'
  [[ "${TOKKIT_FUZZ_ALL:-0}" == 1 ]] ||
    query="$query except attr(tags, \"\bfuzzer_whole_server\b\", //...)"
  mapfile -t fuzzers < <(bazel query "$query" 2>/dev/null)
  banner "fuzz: ${#fuzzers[@]} fuzzers, ${fuzz_seconds}s each"
  if bazel build --config=fuzz "${fuzzers[@]}"; then
    bin=$(bazel info --config=fuzz bazel-bin 2>/dev/null)
    for f in "${fuzzers[@]}"; do
      pkg=${f#//}; pkg=${pkg%%:*}; name=${f##*:}
      work="$state/fuzz-$name"
      mkdir -p "$work/corpus"
      # New inputs go to a scratch corpus; the checked-in seeds stay as they
      # are. A crash leaves its input in $work for the log below.
      # timeout: a fuzzer that hangs at exit must not hang CI.
      if (cd "$work" && TEST_TMPDIR="$work" timeout -k 10 \
        $((fuzz_seconds + 120)) "$bin/$pkg/$name" \
        -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$work/" \
        "$work/corpus" "$repo/testdata/fuzz/$name" >"$work/log" 2>&1); then
        outcome=pass
        echo "fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs, clean" >&2
      else
        outcome=fail
        echo "fuzz $name FAILED:" >&2
        tail -n 60 "$work/log" >&2
      fi
      python3 tools/testenv/summarize.py --check "$tally" "fuzz:$name" "$outcome"
    done
  else
    for f in "${fuzzers[@]}"; do
      python3 tools/testenv/summarize.py --check "$tally" "fuzz:${f##*:}" fail
    done
  fi
  note_time fuzz "$t0"
fi

if [[ "$phases" == *" lint "* ]]; then
  t0=$SECONDS
  if [[ -n "$lint_pid" ]]; then
    banner "lint: waiting for clang-tidy"
    if wait "$lint_pid"; then outcome=pass; else outcome=fail; fi
    cat "$state/lint.log" >&2
  else
    banner "lint: clang-tidy"
    # The generated protobuf headers come from the plain build.
    bazel build //... >/dev/null 2>&1
    if tools/lint/clang_tidy.sh >&2; then outcome=pass; else outcome=fail; fi
  fi
  python3 tools/testenv/summarize.py --check "$tally" lint:clang-tidy "$outcome"
  note_time lint "$t0"
fi

if [[ "$phases" == *" secrets "* ]]; then
  banner "secrets: scanning test logs"
  # The tests' password, the server test's database password, any JWT
  # (base64 of '{"alg"'), and the secret the URL fuzzer plants.
  pattern='blue-kettle-42|hunter2-secret|eyJhbGci|Pl4ntedSecret'
  scanned=0
  for d in "${testlog_dirs[@]}"; do
    scanned=$((scanned + $(find "$d" -name test.log 2>/dev/null | wc -l)))
  done
  found=$(for d in "${testlog_dirs[@]}"; do
    grep -rlE "$pattern" "$d" --include=test.log 2>/dev/null
  done)
  if ((scanned == 0)); then
    outcome=fail
    echo "secrets: no test logs to scan" >&2
  elif [[ -z "$found" ]]; then
    outcome=pass
    echo "secrets: none in $scanned test logs" >&2
  else
    outcome=fail
    echo "secrets FOUND in:" >&2
    echo "$found" >&2
    grep -hoE ".{0,80}($pattern).{0,20}" $found | head -n 20 >&2
  fi
  python3 tools/testenv/summarize.py --check "$tally" secrets "$outcome"
fi

banner "summary ($((SECONDS - started))s: ${timing[*]})"
[[ -s "$tally" ]] || { echo "0 passed, 1 failed"; exit 1; }
summary=$(python3 tools/testenv/summarize.py --total "$tally")
echo "$summary"
[[ "$summary" == *" 0 failed"* ]]
