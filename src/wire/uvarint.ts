/**
 * Unsigned LEB128 varints, as protobuf and CometBFT's length prefixes write them.
 * Values are JavaScript numbers: lengths and channel ids never exceed 2^53.
 * @module
 */

/** Number of bytes `value` takes as a uvarint. */
export function uvarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes `value` at `offset` and returns the offset after it. */
export function writeUvarint(buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[offset++] = value;
  return offset;
}

/** `value` encoded as a uvarint. */
export function encodeUvarint(value: number): Uint8Array {
  const out = new Uint8Array(uvarintSize(value));
  writeUvarint(out, 0, value);
  return out;
}
