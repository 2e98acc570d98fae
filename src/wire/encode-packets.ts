/**
 * Batches of packets encoded into one buffer each, so that a batch leaves in a single write:
 * the inverse of {@link decodePacketBatches}.
 * @module
 */
import { writePacket } from "./encode-packet.js";
import { packetWireSize, type Packet } from "./packet.js";

/** Encodes `packets`, each length-prefixed, into one new buffer. */
export function encodeBatch(packets: readonly Packet[]): Uint8Array {
  let size = 0;
  for (const p of packets) size += packetWireSize(p);
  const out = Buffer.allocUnsafe(size);
  encodeBatchInto(packets, out);
  return out;
}

/**
 * Encodes `packets`, each length-prefixed, at the start of `out` (which must hold their
 * `packetWireSize` sum); returns the number of bytes written.
 */
export function encodeBatchInto(packets: readonly Packet[], out: Uint8Array): number {
  let offset = 0;
  for (const p of packets) offset = writePacket(out, offset, p);
  return offset;
}
