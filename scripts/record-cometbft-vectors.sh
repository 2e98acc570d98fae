#!/usr/bin/env bash
# Records the CometBFT-encoded messages the codec tests check (test/vectors/cometbft-messages/):
#   go-<tag>.json   messages a single-validator node does not send by itself (evidence, statesync,
#                   blocksync requests, ...), encoded by CometBFT's own Go types: the program
#                   test/interop/encode-vectors/main.go, run inside the module source of <tag>;
#   <tag>.json      what real nodes sent us: RECORD_COMETBFT_MESSAGES=1 npm run test:interop.
# Usage: scripts/record-cometbft-vectors.sh [tag]   (default v0.38.26: the Go program uses its packages)
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-v0.38.26}"
work="$(mktemp -d "${TMPDIR:-/tmp}/cometbft-vectors-XXXXXX")"
trap 'rm -rf "$work"' EXIT
scripts/install-cometbft.sh --prepare "$tag" "$work"
mkdir -p "$work/cmd/rx-mconn-vectors" test/vectors/cometbft-messages
cp test/interop/encode-vectors/main.go "$work/cmd/rx-mconn-vectors/"
messages="$(cd "$work" && go run ./cmd/rx-mconn-vectors)"
node -e '
  const [tag, messages] = process.argv.slice(1);
  const provenance = `encoded by CometBFT ${tag}'"'"'s Go types (github.com/cometbft/cometbft/proto/tendermint/...) with test/interop/encode-vectors/main.go, run by scripts/record-cometbft-vectors.sh on ${new Date().toISOString().slice(0, 10)}`;
  process.stdout.write(JSON.stringify({ version: tag, provenance, messages: JSON.parse(messages) }, null, 1) + "\n");
' "$tag" "$messages" > "test/vectors/cometbft-messages/go-$tag.json"
echo "wrote test/vectors/cometbft-messages/go-$tag.json"
