import { Observable, type OperatorFunction } from "rxjs";
import { TruncatedError } from "../errors.js";
import { decodePacket } from "./decode-packet.js";
import { FrameDecoder } from "./frame-decoder.js";
import { maxPacketMsgSize, type Packet } from "./packet.js";

/**
 * Turns a stream of byte chunks into `Packet`s: uvarint length prefix, then a protobuf
 * `tendermint.p2p.Packet`. Correct however the chunks are cut; a length over `maxPacketSize`
 * is rejected before anything is buffered for it.
 *
 * ```
 * chunks:  --a----b--c|      (a = "02 0a", b = "00 03 12", c = "00 ...")
 * decodePackets()
 * packets: -------P--Q|      (P = ping, Q = pong)
 * ```
 *
 * Errors with {@link PacketTooLargeError}, {@link MalformedPacketError}, or
 * {@link TruncatedError} when the source completes inside a packet; errors of the source pass
 * through. Decoded `data` views may share memory with the chunks: copy what you keep.
 *
 * @example
 * socketDuplex(socket).incoming$.pipe(decodePackets()).subscribe((p) => console.log(p.type));
 *
 * @param maxPacketSize largest accepted `Packet` body; default 1034 (CometBFT's, for 1024-byte payloads).
 */
export function decodePackets(maxPacketSize: number = maxPacketMsgSize(1024)): OperatorFunction<Uint8Array, Packet> {
  return (source) =>
    new Observable<Packet>((subscriber) => {
      const decoder = new FrameDecoder(maxPacketSize);
      const onFrame = (buf: Uint8Array, start: number, end: number) => {
        if (!subscriber.closed) subscriber.next(decodePacket(buf, start, end));
      };
      return source.subscribe({
        next: (chunk) => {
          try {
            decoder.push(chunk, onFrame);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          if (decoder.buffered > 0) {
            subscriber.error(new TruncatedError(`stream ended inside a packet (${decoder.buffered} bytes of it received)`));
          } else subscriber.complete();
        },
      });
    });
}
