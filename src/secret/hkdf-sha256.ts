/**
 * HKDF-SHA256 (RFC 5869) without salt, on libsodium's SHA-256 (via `sodium-native`): HMAC built
 * from one-shot hashes of `key ⊕ pad ‖ message` laid out in a scratch buffer, two native calls
 * per HMAC and nothing else allocated but the output.
 * @module
 */
import { sodium } from "./sodium.js";

/** libsodium's one-shot SHA-256, typed for plain byte arrays (it takes any). */
interface Sha256 {
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
}

const BLOCK = 64;
const HASH = 32;
const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * Scratch memory: `key ⊕ pad` (one block) followed by the message or the inner hash. Grown when
 * a call needs more; zeroed after every call, as it holds key material.
 */
let scratch = new Uint8Array(BLOCK + HASH + 64);
const inner = new Uint8Array(HASH);

/** `length` bytes of `buf` from `start`, as a plain view. */
function view(buf: Uint8Array, start: number, length: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, length);
}

/** The block `key ⊕ pad` (a key of at most 32 bytes, zero-padded) into `scratch[0, 64)`. */
function padKey(key: Uint8Array | undefined, pad: number): void {
  scratch.fill(pad, 0, BLOCK);
  if (key !== undefined) for (let i = 0; i < key.length; i++) scratch[i] = key[i] ^ pad;
}

/** HMAC-SHA256 under `key` (≤ 32 bytes; none: the all-zero key) of `scratch[64, 64 + n)`, into `out`. */
function hmac(key: Uint8Array | undefined, n: number, out: Uint8Array): void {
  const s = sodium() as unknown as Sha256;
  padKey(key, IPAD);
  s.crypto_hash_sha256(inner, view(scratch, 0, BLOCK + n));
  padKey(key, OPAD);
  scratch.set(inner, BLOCK);
  s.crypto_hash_sha256(out, view(scratch, 0, BLOCK + HASH));
}

/**
 * HKDF-SHA256 of `ikm` with no salt (RFC 5869: a salt of 32 zero bytes, the same key to HMAC
 * as none) and `info`: `length` (≤ 8160) output bytes.
 */
export function hkdfSha256(ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH) throw new RangeError(`HKDF-SHA256 gives 0 to ${255 * HASH} bytes, not ${length}`);
  const need = BLOCK + Math.max(ikm.length, HASH + info.length + 1, HASH);
  if (scratch.length < need) scratch = new Uint8Array(need);
  const prk = new Uint8Array(HASH);
  const okm = new Uint8Array(Math.ceil(length / HASH) * HASH);
  try {
    scratch.set(ikm, BLOCK);
    hmac(undefined, ikm.length, prk);
    for (let block = 0, at = 0; at < length; block++, at += HASH) {
      // T(i) = HMAC(PRK, T(i − 1) ‖ info ‖ i), T(0) empty.
      let n = 0;
      if (block > 0) {
        scratch.set(view(okm, at - HASH, HASH), BLOCK);
        n = HASH;
      }
      scratch.set(info, BLOCK + n);
      n += info.length;
      scratch[BLOCK + n++] = block + 1;
      hmac(prk, n, view(okm, at, HASH));
    }
  } finally {
    scratch.fill(0);
    inner.fill(0);
    prk.fill(0);
  }
  return okm.length === length ? okm : okm.slice(0, length);
}
