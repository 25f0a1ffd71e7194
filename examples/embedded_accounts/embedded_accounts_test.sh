#!/usr/bin/env bash
set -euo pipefail
out=$(examples/embedded_accounts/embedded_accounts --data_dir="$TEST_TMPDIR/example")
echo "$out"
grep -q "^registered mei" <<<"$out"
grep -q "login without a code: UNAUTHENTICATED: two-factor code required" <<<"$out"
grep -q "login with the next code: ok" <<<"$out"
grep -q "old refresh token again: UNAUTHENTICATED" <<<"$out"
grep -q "^done$" <<<"$out"
