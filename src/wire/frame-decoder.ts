/**
 * Splits a byte stream into uvarint length-prefixed frames, however the stream is cut.
 * Bounded: an announced length over the maximum is rejected as soon as the prefix shows it
 * (before anything is buffered for it), and at most one incomplete frame is kept, as a list of
 * the chunks it spans (never re-concatenated per chunk).
 * @module
 */
import { MalformedPacketError, PacketTooLargeError } from "../errors.js";

/** Receives one complete frame body as `buf[start, end)`; the view is valid during the call. */
export type FrameHandler = (buf: Uint8Array, start: number, end: number) => void;

/** Incremental decoder of length-delimited frames (the framing of CometBFT's `protoio`). */
export class FrameDecoder {
  private carry: Uint8Array[] = [];
  private carryLength = 0;

  /** @param maxFrameSize the largest body length accepted (the prefix is not counted). */
  constructor(readonly maxFrameSize: number) {}

  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.carryLength;
  }

  /**
   * Feeds one chunk and calls `onFrame` for every frame it completes.
   * @throws {PacketTooLargeError} when a prefix announces more than `maxFrameSize`.
   * @throws {MalformedPacketError} when a prefix overflows 64 bits.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    let at = 0;
    if (this.carryLength > 0) {
      this.carry.push(chunk);
      this.carryLength += chunk.length;
      const header = this.carriedHeader();
      if (header === undefined) return;
      const total = header.size + header.length;
      if (this.carryLength < total) return;
      const body = new Uint8Array(header.length);
      let skip = header.size;
      let filled = 0;
      for (const part of this.carry) {
        if (filled === body.length) break;
        if (skip >= part.length) {
          skip -= part.length;
          continue;
        }
        const take = Math.min(part.length - skip, body.length - filled);
        body.set(part.subarray(skip, skip + take), filled);
        filled += take;
        skip = 0;
      }
      at = chunk.length - (this.carryLength - total);
      this.carry = [];
      this.carryLength = 0;
      onFrame(body, 0, body.length);
    }
    const max = this.maxFrameSize;
    while (at < chunk.length) {
      // Inline uvarint read within this chunk.
      let length = 0;
      let scale = 1;
      let pos = at;
      let complete = false;
      for (let i = 0; i < 10 && pos < chunk.length; i++) {
        const b = chunk[pos++]!;
        if (i === 9 && b > 1) throw new MalformedPacketError("length prefix overflows 64 bits");
        length += (b & 0x7f) * scale;
        if (length > max) throw new PacketTooLargeError(length, max);
        if (b < 0x80) {
          complete = true;
          break;
        }
        scale *= 128;
      }
      if (!complete || pos + length > chunk.length) break;
      onFrame(chunk, pos, pos + length);
      at = pos + length;
    }
    if (at < chunk.length) {
      this.carry.push(chunk.subarray(at));
      this.carryLength = chunk.length - at;
      this.carriedHeader(); // rejects an oversize or overflowing prefix now, not when more arrives
    }
  }

  /** The prefix of the carried frame, if complete; throws on an invalid one. */
  private carriedHeader(): { size: number; length: number } | undefined {
    let length = 0;
    let scale = 1;
    let i = 0;
    for (const part of this.carry) {
      for (let j = 0; j < part.length; j++, i++) {
        const b = part[j]!;
        if (i === 9 && b > 1) throw new MalformedPacketError("length prefix overflows 64 bits");
        length += (b & 0x7f) * scale;
        if (length > this.maxFrameSize) throw new PacketTooLargeError(length, this.maxFrameSize);
        if (b < 0x80) return { size: i + 1, length };
        scale *= 128;
      }
    }
    return undefined;
  }
}
