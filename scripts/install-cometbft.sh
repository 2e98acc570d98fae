#!/usr/bin/env bash
# Builds a CometBFT node from the Go module proxy, once per version, into .cache/cometbft/<tag>/,
# and prints the binary's path. The module source is downloaded with `go mod download`, copied to
# a writable folder, stripped of its `replace` directives (v0.34 replaces four dependencies with
# forks and versions the proxy does not serve; none is used by the P2P code), and ./cmd/cometbft
# is built from it.
# Usage: scripts/install-cometbft.sh [tag]   the default version of test/interop/cometbft-versions.txt
#        scripts/install-cometbft.sh --all   every pinned version, one after the other
#        scripts/install-cometbft.sh --source tag   prints the module source folder (for the schemas)
set -euo pipefail
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
root="$(cd "$(dirname "$0")/.." && pwd)"
list="$root/test/interop/cometbft-versions.txt"
pinned() { grep -vE '^\s*(#|$)' "$list" | awk '{print $1}'; }
default_version() { grep -vE '^\s*(#|$)' "$list" | awk '$2 == "full" {print $1; exit}'; }

need_go() { command -v go >/dev/null || { echo "install-cometbft: Go is required (https://go.dev)" >&2; exit 1; }; }

source_dir() {
  need_go
  local json dir
  json="$(go mod download -json "github.com/cometbft/cometbft@$1")" || { echo "install-cometbft: cannot download cometbft $1: $json" >&2; exit 1; }
  dir="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [ -d "$dir" ] || { echo "install-cometbft: no module source for cometbft $1" >&2; exit 1; }
  echo "$dir"
}

build() {
  local tag="$1" dir="$root/.cache/cometbft/$1"
  [ -x "$dir/cometbft" ] && { echo "$dir/cometbft"; return; }
  need_go
  local src started forks
  started=$(date +%s)
  echo "install-cometbft: building cometbft $tag (first run only)" >&2
  src="$(source_dir "$tag")"
  work="$(mktemp -d "${TMPDIR:-/tmp}/cometbft-$tag-XXXXXX")"
  cp -R "$src/." "$work"
  chmod -R u+w "$work"
  # `replace` directives are dropped, so that the proxy's originals are used: v0.34's point at
  # three forks and a gonum pseudo-version the proxy does not serve (none is used by the P2P code).
  forks="$(cd "$work" && go mod edit -json | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace ?? []) console.log(r.Old.Path + (r.Old.Version ? "@" + r.Old.Version : ""));')"
  if [ -n "$forks" ]; then
    echo "install-cometbft: $tag: dropping the replace directives for $(echo $forks)" >&2
    for f in $forks; do (cd "$work" && go mod edit -dropreplace="$f"); done
    (cd "$work" && go mod tidy >&2)
  fi
  mkdir -p "$dir"
  (cd "$work" && nice -n 10 go build -o "$dir/cometbft.tmp" ./cmd/cometbft >&2)
  mv "$dir/cometbft.tmp" "$dir/cometbft"
  rm -rf "$work"
  work=""
  echo "install-cometbft: built cometbft $tag in $(( $(date +%s) - started )) s" >&2
  echo "$dir/cometbft"
}

case "${1:-}" in
  --all) for v in $(pinned); do build "$v"; done ;;
  --source) source_dir "${2:?usage: install-cometbft.sh --source tag}" ;;
  --versions) pinned ;;
  "") build "$(default_version)" ;;
  *) build "$1" ;;
esac
