#!/usr/bin/env bash
# Runs the interop suite: every test/interop/*.test.ts against the first CometBFT version, and
# the CometBFT tests again against each further one. Each version is built once from the Go
# module proxy into .cache/. Usage: scripts/test-interop.sh [tag ...]  (default: the pinned ones)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(v0.38.26 v1.0.1)
mocha=(npx mocha --no-config -n import=tsx --require test/setup.ts --timeout 600000 --reporter ./test/reporter.cjs)
first=1
for v in "${versions[@]}"; do
  echo "== interop with CometBFT $v"
  scripts/install-cometbft.sh "$v" >/dev/null
  if [ "$first" = 1 ]; then
    COMETBFT_VERSION="$v" "${mocha[@]}" test/interop/*.test.ts
    first=0
  else
    COMETBFT_VERSION="$v" "${mocha[@]}" test/interop/cometbft*.test.ts
  fi
done
