#!/usr/bin/env bash
# Builds a CometBFT node from the Go module proxy, once per version, into .cache/cometbft/<tag>/.
# Prints the binary's path. Usage: scripts/install-cometbft.sh [tag]   (default: v0.38.26)
set -euo pipefail
tag="${1:-v0.38.26}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/cometbft/$tag"
if [ ! -x "$dir/cometbft" ]; then
  command -v go >/dev/null || { echo "install-cometbft: Go is required (https://go.dev)" >&2; exit 1; }
  mkdir -p "$dir"
  echo "install-cometbft: building cometbft $tag (first run only)" >&2
  GOBIN="$dir" GOFLAGS=-buildvcs=false go install "github.com/cometbft/cometbft/cmd/cometbft@$tag" >&2
fi
echo "$dir/cometbft"
