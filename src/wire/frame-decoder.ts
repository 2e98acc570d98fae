/**
 * Splits a byte stream into uvarint length-prefixed frames, however the stream is cut.
 * Bounded: an announced length over the maximum is rejected as soon as the prefix shows it
 * (before anything is buffered for it), and at most one incomplete frame is kept, as a list of
 * the chunks it spans (never re-concatenated per chunk). The incomplete frame keeps about its
 * own bytes, however it is cut: a small part of a larger buffer is copied rather than kept as a
 * view (which would keep the whole buffer alive), and a run of small parts is gathered into one.
 * @module
 */
import { UvarintReader } from "./uvarint.js";

/** Receives one complete frame body as `buf[start, end)`; the view is valid during the call. */
export type FrameHandler = (buf: Uint8Array, start: number, end: number) => void;

/** Beyond this many parts, an incomplete frame's parts are gathered into one buffer. */
const MAX_CARRIED_PARTS = 16;

/** Incremental decoder of length-delimited frames (the framing of CometBFT's `protoio`). */
export class FrameDecoder {
  private carry: Uint8Array[] = [];
  private carryLength = 0;
  private readonly prefix: UvarintReader;

  /** @param maxFrameSize the largest body length accepted (the prefix is not counted). */
  constructor(readonly maxFrameSize: number) {
    this.prefix = new UvarintReader(maxFrameSize, "length prefix");
  }

  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.carryLength;
  }

  /** Bytes of memory the incomplete frame keeps alive (the buffers under its parts). */
  get retained(): number {
    let n = 0;
    for (const b of new Set(this.carry.map((p) => p.buffer))) n += b.byteLength;
    return n;
  }

  /**
   * Feeds one chunk and calls `onFrame` for every frame it completes.
   * @throws {PacketTooLargeError} when a prefix announces more than `maxFrameSize`.
   * @throws {MalformedPacketError} when a prefix overflows 64 bits.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    let at = 0;
    if (this.carryLength > 0) {
      this.carryPart(chunk);
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
    const prefix = this.prefix;
    while (at < chunk.length) {
      const bodyAt = prefix.reset().read(chunk, at, chunk.length);
      if (bodyAt < 0 || bodyAt + prefix.value > chunk.length) break;
      at = bodyAt + prefix.value;
      onFrame(chunk, bodyAt, at);
    }
    if (at < chunk.length) {
      this.carryPart(chunk.subarray(at));
      this.carryLength = chunk.length - at;
      this.carriedHeader(); // rejects an oversize or overflowing prefix now, not when more arrives
    }
  }

  /** Adds `part` to the incomplete frame, holding no more memory than its bytes (about). */
  private carryPart(part: Uint8Array): void {
    this.carry.push(part.byteLength * 2 < part.buffer.byteLength ? part.slice() : part);
    if (this.carry.length > MAX_CARRIED_PARTS) {
      const whole = new Uint8Array(this.carry.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of this.carry) {
        whole.set(p, at);
        at += p.length;
      }
      this.carry = [whole];
    }
  }

  /** The prefix of the carried frame, if complete; throws on an invalid one. */
  private carriedHeader(): { size: number; length: number } | undefined {
    const prefix = this.prefix.reset();
    for (const part of this.carry) {
      if (prefix.read(part, 0, part.length) >= 0) return { size: prefix.size, length: prefix.value };
    }
    return undefined;
  }
}
