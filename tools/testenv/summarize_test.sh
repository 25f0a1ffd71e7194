#!/usr/bin/env bash
# summarize.py counts what really happened: a failing case, a target with no
# report, and (regression) a target whose cases all passed but which failed
# after them (a LeakSanitizer report at exit), which it once counted as
# passing.
set -euo pipefail
summarize=tools/testenv/summarize.py
logs=$(mktemp -d)
report() {  # report <target dir> <failures>
  mkdir -p "$logs/$1"
  local failure=""
  (($2)) && failure="<failure message=\"boom\"/>"
  cat >"$logs/$1/test.xml" <<XML
<testsuites><testsuite name="S"><testcase classname="S" name="a"/>
<testcase classname="S" name="b">$failure</testcase></testsuite></testsuites>
XML
}
report pkg/clean 0
report pkg/leaky 0
report pkg/broken 1
expect() {  # expect <want> <got>
  if [[ "$1" != "$2" ]]; then
    echo "want '$1', got '$2'" >&2
    exit 1
  fi
}
expect "2 passed, 0 failed" "$(python3 $summarize "$logs" //pkg:clean)"
expect "3 passed, 1 failed" "$(python3 $summarize "$logs" //pkg:clean //pkg:broken)"
expect "0 passed, 1 failed" "$(python3 $summarize "$logs" //pkg:missing 2>/dev/null)"
echo "//pkg:leaky" >"$logs/failed"
tally="$logs/tally"
python3 $summarize --record --failed-targets "$logs/failed" "$tally" plain \
  "$logs" //pkg:clean //pkg:leaky >/dev/null 2>"$logs/err"
grep -q "FAILED plain: //pkg:leaky (exited non-zero" "$logs/err"
expect "4 passed, 1 failed" "$(python3 $summarize --total "$tally" 2>"$logs/err")"
grep -q "failed in plain: //pkg:leaky" "$logs/err"
echo "summarize: ok"
