/**
 * `bytes` as a Buffer over the same memory (no copy), as the `sodium-native` typings want.
 * @module
 */

/** A Buffer view of `bytes`; `bytes` itself when it already is one. */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
