#!/usr/bin/env bash
# Runs tokkit on the embedded default: installs what is missing, builds the
# all-in-one server and starts it with SQLite and blobs under ./tokkit-data.
# No other servers needed. Extra arguments go to tokkit_server (see --help),
# e.g. tools/run.sh --listen=0.0.0.0:50051 --admin=alice
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
bazel build -c opt //services/tokkit_server
exec bazel-bin/services/tokkit_server/tokkit_server --data_dir=./tokkit-data "$@"
