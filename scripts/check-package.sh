#!/usr/bin/env bash
# Lints the package as it is published: packs it (prepack builds dist/), then runs the ecosystem's
# package linters on the tarball: publint (package.json, exports, files) and Are The Types Wrong
# (the declarations each export resolves to, with the "esm-only" profile: the package is ESM).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
npm pack --pack-destination "$dir" >/dev/null
tarball="$(ls "$dir"/*.tgz)"
npx --yes publint@0.3 --strict "$tarball"
npx --yes @arethetypeswrong/cli@0.18 --profile esm-only "$tarball"
