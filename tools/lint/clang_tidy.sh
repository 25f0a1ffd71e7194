#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the top) over tokkit's C++ sources, two at
# a time. Needs a prior `bazel build //...` for the generated protobuf headers.
# Prints each finding; exits non-zero if there is any.
#   tools/lint/clang_tidy.sh [files...]   (default: the production .cc files
#                                          under lib/, services/, tools/,
#                                          examples/; tests are left out to
#                                          keep CI under its time budget)
set -uo pipefail
cd "$(dirname "$0")/../.."
# BAZEL_BIN: set by a caller that runs other bazel commands meanwhile.
bin=${BAZEL_BIN:-$(bazel info bazel-bin 2>/dev/null)}
if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'lib/*.cc' 'services/*.cc' 'tools/*.cc' \
    'examples/*.cc' | grep -v -e '_test\.cc$' -e '_fuzzer\.cc$' \
    -e '/testing/' -e 'tsan_absl_mutex\.cc$')
fi
flags=(-std=c++17 -I. "-I$bin" -isystem /usr/include/postgresql -isystem /usr/include/mariadb
  -DSPDLOG_SHARED_LIB -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DBOOST_BEAST_USE_STD_STRING_VIEW)
out=$(mktemp -d)
printf '%s\n' "${files[@]}" | xargs -P 2 -I{} sh -c \
  'clang-tidy --quiet "$1" -- "$@" >"$0/$(echo "$1" | tr / _).log" 2>&1 || echo "$1" >>"$0/failed"' \
  "$out" {} "${flags[@]}"
status=0
if [[ -s "$out/failed" ]]; then
  status=1
  while read -r f; do
    grep -v -e '^[0-9]* warnings\? generated' -e 'Suppressed [0-9]* warnings' \
      "$out/$(echo "$f" | tr / _).log"
  done <"$out/failed"
fi
echo "clang-tidy: ${#files[@]} files, $( [[ -s $out/failed ]] && wc -l <"$out/failed" || echo 0) with findings"
rm -rf "$out"
exit $status
