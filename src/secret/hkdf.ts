/**
 * HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) over libsodium's SHA-256 (via
 * `sodium-native`). The key schedule calls this once per handshake; OpenSSL's `hkdfSync` costs
 * 13 µs in a tight loop but 45–60 µs inside a busy handshake loop (its algorithm lookup and
 * key objects), where these plain one-shot hashes stay near their 1 µs each.
 * @module
 */
import { sodium } from "./sodium.js";
import { bufferView } from "./buffer-view.js";

const BLOCK = 64;
const HASH = 32;

/** HMAC-SHA256 of `message` under `key` (a key longer than the 64-byte block is hashed first). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length > BLOCK) {
    const hashed = Buffer.allocUnsafe(HASH);
    sodium().crypto_hash_sha256(hashed, bufferView(key));
    key = hashed;
  }
  const inner = Buffer.allocUnsafe(BLOCK + message.length);
  const outer = Buffer.allocUnsafe(BLOCK + HASH);
  for (let i = 0; i < BLOCK; i++) {
    const k = i < key.length ? key[i] : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  inner.set(message, BLOCK);
  sodium().crypto_hash_sha256(outer.subarray(BLOCK), inner);
  const mac = new Uint8Array(HASH);
  sodium().crypto_hash_sha256(bufferView(mac), outer);
  return mac;
}

/**
 * HKDF-SHA256: `length` bytes (at most 255 × 32) from input keying material `ikm`, with `salt`
 * (empty: 32 zero bytes, as RFC 5869 says) and `info`.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH) throw new RangeError(`HKDF-SHA256 yields 0 to ${255 * HASH} bytes, not ${length}`);
  const prk = hmacSha256(salt.length === 0 ? new Uint8Array(HASH) : salt, ikm);
  const okm = new Uint8Array(Math.ceil(length / HASH) * HASH);
  // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), built in one buffer reused across blocks.
  const input = new Uint8Array(HASH + info.length + 1);
  input.set(info, HASH);
  for (let i = 0, at = 0; at < length; i++, at += HASH) {
    input[input.length - 1] = i + 1;
    const block = hmacSha256(prk, i === 0 ? input.subarray(HASH) : input);
    input.set(block, 0);
    okm.set(block, at);
  }
  return okm.length === length ? okm : okm.slice(0, length);
}
