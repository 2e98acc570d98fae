#!/usr/bin/env bash
# Runs the interop suite against every pinned CometBFT version (test/interop/cometbft-versions.txt):
# the full suite (every test/interop/*.test.ts on the first such version, the CometBFT ones on the
# others) where the list says "full", the tests tagged @every-line where it says "short". First
# checks proto/ against each version's published schemas. Each version is built once from the Go
# module proxy into .cache/, and the build and test times of each are printed at the end.
# Usage: scripts/test-interop.sh [tag ...]   (default: every pinned version, with its suite)
set -euo pipefail
cd "$(dirname "$0")/.."
list=test/interop/cometbft-versions.txt
suite_of() { awk -v v="$1" '!/^[[:space:]]*#/ && $1 == v {print $2}' "$list"; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(scripts/install-cometbft.sh --versions)
mocha=(npx mocha --no-config -n import=tsx --require test/setup.ts --timeout 600000 --reporter ./test/reporter.cjs)
summary=()
started=$(date +%s)

node scripts/check-cometbft-schemas.mjs

first=1
for v in "${versions[@]}"; do
  suite="$(suite_of "$v")"
  suite="${suite:-full}"
  echo "== interop with CometBFT $v ($suite suite)"
  t0=$(date +%s)
  scripts/install-cometbft.sh "$v" >/dev/null
  t1=$(date +%s)
  if [ "$suite" = short ]; then
    COMETBFT_VERSION="$v" "${mocha[@]}" --grep @every-line test/interop/cometbft*.test.ts
  elif [ "$first" = 1 ]; then
    COMETBFT_VERSION="$v" "${mocha[@]}" test/interop/*.test.ts
    first=0
  else
    COMETBFT_VERSION="$v" "${mocha[@]}" test/interop/cometbft*.test.ts
  fi
  t2=$(date +%s)
  summary+=("$(printf '%-9s %-5s build %4d s  tests %4d s' "$v" "$suite" $((t1 - t0)) $((t2 - t1)))")
done
echo "== interop timings (total $(( $(date +%s) - started )) s)"
printf '%s\n' "${summary[@]}"
