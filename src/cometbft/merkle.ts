/**
 * The Merkle root CometBFT computes over a list of byte slices (RFC 6962 style, SHA-256): a leaf
 * is `sha256(0x00 ‖ leaf)`, an inner node `sha256(0x01 ‖ left ‖ right)`, the split the largest
 * power of two below the count; no items hash to `sha256("")`.
 * @module
 */
import { createHash } from "node:crypto";

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const LEAF = Uint8Array.of(0);
const INNER = Uint8Array.of(1);

/** The largest power of two strictly below `n` (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function root(items: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 1) return sha256(LEAF, items[from]);
  const k = splitPoint(n);
  return sha256(INNER, root(items, from, from + k), root(items, from + k, to));
}

/** The Merkle root of `items` as CometBFT's `merkle.HashFromByteSlices` computes it. */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  return items.length === 0 ? sha256() : root(items, 0, items.length);
}
