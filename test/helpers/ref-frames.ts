import { MalformedPacketError, PacketTooLargeError, TruncatedError } from "../../src/errors.js";

/** The error classes the framing can end with. */
export type FramingErrorClass = typeof PacketTooLargeError | typeof MalformedPacketError | typeof TruncatedError;

/**
 * Reference framing over the whole byte string, as a separate model: uvarint prefix read byte by
 * byte (10th byte > 1 is an overflow; a prefix is rejected as soon as its value so far exceeds
 * `max`), then the body. Returns the end offset of every complete frame and the first framing
 * error with the index of the byte that reveals it (Truncated: at the end of the input).
 */
export function refFrames(bytes: Uint8Array, max: number): { frames: [number, number][]; error?: { cls: FramingErrorClass; at: number } } {
  const frames: [number, number][] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let length = 0;
    let scale = 1;
    let i = 0;
    for (; ; i++) {
      if (pos + i >= bytes.length) return { frames, error: { cls: TruncatedError, at: bytes.length } };
      const b = bytes[pos + i];
      if (i === 9 && b > 1) return { frames, error: { cls: MalformedPacketError, at: pos + i } };
      length += (b & 0x7f) * scale;
      if (length > max) return { frames, error: { cls: PacketTooLargeError, at: pos + i } };
      if (b < 0x80) break;
      scale *= 128;
    }
    const start = pos + i + 1;
    if (start + length > bytes.length) return { frames, error: { cls: TruncatedError, at: bytes.length } };
    frames.push([start, start + length]);
    pos = start + length;
  }
  return { frames };
}

