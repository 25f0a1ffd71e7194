#!/usr/bin/env bash
set -euo pipefail
out=$(examples/embedded_shop/embedded_shop --data_dir="$TEST_TMPDIR/shop")
echo "$out"
grep -q "^published video .* (video/mp4, sha256" <<<"$out"
grep -q "likes: 1; chef_lin has 1 unread message(s) from mei" <<<"$out"
grep -q 'for you: 1 video(s), first "Hand-pulled noodles in 60 s"' <<<"$out"
grep -q "items 15900 - discount 2385 + shipping 800 = 14315 cents" <<<"$out"
grep -q "paying again returned the same payment: yes" <<<"$out"
grep -q "order is refunded; merchant balance 0 cents" <<<"$out"
grep -q "^done$" <<<"$out"
