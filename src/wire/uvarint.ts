/**
 * Unsigned LEB128 varints, as protobuf and CometBFT's length prefixes write them.
 * Values are JavaScript numbers: lengths and channel ids never exceed 2^53.
 * @module
 */
import { MalformedPacketError, PacketTooLargeError } from "./errors.js";

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

/**
 * Reads one uvarint incrementally: a length prefix (with `max`, rejected as soon as the bytes
 * read show it too large, before anything is buffered for what it announces) or a protobuf
 * varint. The one varint reader of the wire layer: the frame decoder, `readDelimited` and the
 * `Packet` decoder all read through it. Feed it one buffer, or the chunks a prefix spans one
 * after the other; `reset()` before the next varint.
 *
 * @example
 * const prefix = new UvarintReader(1034, "length prefix");
 * const bodyAt = prefix.reset().read(chunk, 0, chunk.length);
 * if (bodyAt >= 0) handle(chunk.subarray(bodyAt, bodyAt + prefix.value));
 */
export class UvarintReader {
  /** The value read so far; exact up to 2^53 (larger values only need to compare as large). */
  value = 0;
  /** Bytes read so far. */
  size = 0;
  private scale = 1;

  /**
   * @param max largest value accepted (default: any that fits in 64 bits).
   * @param what how errors name the varint (e.g. `"length prefix"`).
   */
  constructor(
    readonly max = Infinity,
    readonly what = "varint",
  ) {}

  /** Starts a new varint. */
  reset(): this {
    this.value = 0;
    this.size = 0;
    this.scale = 1;
    return this;
  }

  /**
   * Reads `buf[from, to)` until the varint ends.
   * @returns the offset just after the varint, or -1 when `to` came first (feed the next bytes).
   * @throws {MalformedPacketError} when the varint overflows 64 bits.
   * @throws {PacketTooLargeError} when the value exceeds `max`.
   */
  read(buf: Uint8Array, from: number, to: number): number {
    for (let pos = from; pos < to; pos++) {
      const b = buf[pos];
      if (this.size === 9 && b > 1) throw new MalformedPacketError(`${this.what} overflows 64 bits`);
      this.value += (b & 0x7f) * this.scale;
      this.size++;
      if (this.value > this.max) throw new PacketTooLargeError(this.value, this.max);
      if (b < 0x80) return pos + 1;
      this.scale *= 128;
    }
    return -1;
  }
}
