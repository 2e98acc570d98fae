#!/usr/bin/env bash
# Builds a CometBFT node from the Go module proxy, once per version, into .cache/cometbft/<tag>/,
# and prints the binary's path. The module source is downloaded with `go mod download`, copied to
# a writable folder, stripped of its `replace` directives, and ./cmd/cometbft is built from it.
# Usage: scripts/install-cometbft.sh [tag]   the default version of test/interop/cometbft-versions.txt
#        scripts/install-cometbft.sh --all   every pinned version, one after the other
#        scripts/install-cometbft.sh --source tag   prints the module source folder (for the schemas)
#        scripts/install-cometbft.sh --prepare tag dir   copies the buildable module source into dir
#        scripts/install-cometbft.sh --versions   lists the pinned versions
set -euo pipefail
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
root="$(cd "$(dirname "$0")/.." && pwd)"
# v1's module source carries a go.work naming folders the module zip does not hold.
export GOWORK=off
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

# Copies the module source of $1 into the writable folder $2 and drops its replace directives:
# v0.34's point at three forks and a gonum pseudo-version the proxy does not serve (none is used
# by the P2P code), so the proxy's originals are used.
prepare() {
  local src replaced
  src="$(source_dir "$1")"
  cp -R "$src/." "$2"
  chmod -R u+w "$2"
  replaced="$(cd "$2" && go mod edit -json | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace ?? []) console.log(r.Old.Path + (r.Old.Version ? "@" + r.Old.Version : ""));')"
  if [ -n "$replaced" ]; then
    echo "install-cometbft: $1: dropping the replace directives for $(echo $replaced)" >&2
    for r in $replaced; do (cd "$2" && go mod edit -dropreplace="$r"); done
    (cd "$2" && go mod tidy >&2)
  fi
}

build() {
  local tag="$1" dir="$root/.cache/cometbft/$1"
  [ -x "$dir/cometbft" ] && { echo "$dir/cometbft"; return; }
  need_go
  local started
  started=$(date +%s)
  echo "install-cometbft: building cometbft $tag (first run only)" >&2
  work="$(mktemp -d "${TMPDIR:-/tmp}/cometbft-$tag-XXXXXX")"
  prepare "$tag" "$work"
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
  --prepare) need_go; prepare "${2:?usage: install-cometbft.sh --prepare tag dir}" "${3:?usage: install-cometbft.sh --prepare tag dir}" ;;
  --versions) pinned ;;
  "") build "$(default_version)" ;;
  *) build "$1" ;;
esac
