import { mergeAll, Observable, type OperatorFunction } from "rxjs";
import { TruncatedError } from "./errors.js";
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
 * Errors with {@link rx-mconn!PacketTooLargeError}, {@link rx-mconn!MalformedPacketError}, or
 * {@link TruncatedError} when the source completes inside a packet; errors of the source pass
 * through. Decoded `data` views may share memory with the chunks: copy what you keep.
 *
 * @example
 * socketDuplex(socket).incoming$.pipe(decodePackets()).subscribe((p) => console.log(p.type));
 *
 * @param maxPacketSize largest accepted `Packet` body; default 1034 (CometBFT's, for 1024-byte payloads).
 */
export function decodePackets(maxPacketSize: number = maxPacketMsgSize(1024)): OperatorFunction<Uint8Array, Packet> {
  // The batched form, flattened: one implementation of the decoding.
  return (source) => source.pipe(decodePacketBatches(maxPacketSize), mergeAll());
}

/**
 * {@link decodePackets}, one array per chunk: the packets each chunk completes, in order
 * (chunks completing none emit nothing). Downstream work then runs once per chunk instead of
 * once per packet — what a receiver does with a 64 KiB socket read carrying 64 packets.
 * On a decoding error, the packets before the bad one are emitted first, then the error.
 *
 * ```
 * chunks:  --a----b--c|      (b completes packets P and Q, c completes R)
 * decodePacketBatches()
 * batches: -------B--C|      (B = [P, Q], C = [R])
 * ```
 *
 * @param maxPacketSize largest accepted `Packet` body; default 1034.
 */
export function decodePacketBatches(maxPacketSize: number = maxPacketMsgSize(1024)): OperatorFunction<Uint8Array, readonly Packet[]> {
  return (source) =>
    new Observable<readonly Packet[]>((subscriber) => {
      const decoder = new FrameDecoder(maxPacketSize);
      return source.subscribe({
        next: (chunk) => {
          const batch: Packet[] = [];
          try {
            decoder.push(chunk, (buf, start, end) => batch.push(decodePacket(buf, start, end)));
          } catch (err) {
            if (batch.length > 0) subscriber.next(batch);
            subscriber.error(err);
            return;
          }
          if (batch.length > 0) subscriber.next(batch);
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
