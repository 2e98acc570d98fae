#!/usr/bin/env bash
# Builds the Rust echo peer (interop/rust-peer, on the cometbft-p2p crate from crates.io) once,
# into .cache/rust-peer/. Prints the binary's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/.cache/rust-peer"
bin="$target/release/rx-mconn-rust-peer"
src="$root/interop/rust-peer"
if [ ! -x "$bin" ] || [ -n "$(find "$src/src" "$src/Cargo.toml" "$src/Cargo.lock" -newer "$bin" 2>/dev/null)" ]; then
  command -v cargo >/dev/null || { echo "build-rust-peer: cargo is required (https://rustup.rs)" >&2; exit 1; }
  echo "build-rust-peer: building (first run only)" >&2
  cargo build --release --locked --quiet --manifest-path "$src/Cargo.toml" --target-dir "$target" >&2
fi
echo "$bin"
