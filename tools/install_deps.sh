#!/usr/bin/env bash
# Installs what tokkit needs on Debian bookworm (run as root, or with sudo
# available). Idempotent: does nothing when every package is present.
set -euo pipefail

BUILD_PACKAGES=(
  bazel-bootstrap g++ protobuf-compiler protobuf-compiler-grpc
  libgrpc++-dev libprotobuf-dev libabsl-dev libsoci-dev libboost-dev
  libsqlite3-dev libpq-dev libhiredis-dev libgflags-dev libgtest-dev
  googletest libbenchmark-dev libsodium-dev libssl-dev libcrypt-dev
  libmariadb-dev libqrencode-dev libpng-dev libspdlog-dev prometheus-cpp-dev
  zlib1g-dev curl libcurl4-openssl-dev nlohmann-json3-dev
  clang-format
)
# Sanitizer, fuzzing and lint runs: clang with its libFuzzer runtime.
TEST_PACKAGES=(postgresql mariadb-server redis-server python3 clang clang-tidy libclang-rt-14-dev)

# The browser test of examples/web: Debian's chromium, driven by the npm
# package playwright-core (which needs Node.js 18 or newer and npm).
BROWSER_PACKAGES=(chromium fonts-dejavu-core)

want=("${BUILD_PACKAGES[@]}")
for arg in "$@"; do
  case "$arg" in
    --with-test-servers)
      want+=("${TEST_PACKAGES[@]}")
      # The S3-compatible test server (s3rver) runs on Node.js.
      command -v node >/dev/null || want+=(nodejs)
      command -v npm >/dev/null || want+=(npm)
      ;;
    --with-browser)
      want+=("${BROWSER_PACKAGES[@]}")
      # A Node.js from elsewhere (e.g. NodeSource) brings its own npm;
      # Debian's npm package would conflict with it.
      command -v node >/dev/null || want+=(nodejs)
      command -v npm >/dev/null || want+=(npm)
      ;;
    *) echo "install_deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
