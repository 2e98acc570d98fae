import { map, type OperatorFunction } from "rxjs";
import { writePacket } from "./encode-packet.js";
import { packetWireSize, type Packet } from "./packet.js";

/**
 * Encodes packets, length-prefixed, into one buffer: the inverse of {@link decodePackets}.
 * A batch becomes a single buffer so that it leaves in a single write.
 *
 * ```
 * batches: --[P,Q]--[M]--|
 * encodePackets()
 * bytes:   --b------c----|   (b = "02 0a 00 02 12 00", c = M's prefix and body)
 * ```
 */
export function encodePackets(): OperatorFunction<readonly Packet[], Uint8Array> {
  return map(encodeBatch);
}

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
