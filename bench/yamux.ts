/**
 * libp2p's yamux muxer (`@chainsafe/libp2p-yamux`) over a plain `net.Socket`, for the bulk
 * baseline (both ends: the sender in bench/cases/bulk.ts, the sink in bench/peer.ts).
 */
import { once } from "node:events";
import type { Socket } from "node:net";
import { yamux as yamuxFactory } from "@chainsafe/libp2p-yamux";
import type { YamuxMuxerInit } from "@chainsafe/libp2p-yamux";
import { defaultLogger } from "@libp2p/logger";

/**
 * A yamux muxer running over `socket`. `@chainsafe/libp2p-yamux` 7 is the line that runs on
 * Node 20 (8 builds on `Promise.withResolvers`, Node 22); its muxer is an iterable duplex, fed
 * as a libp2p TCP connection feeds it: the socket's chunks are the muxer's sink source, and the
 * frames it emits are written to the socket, a frame's header and body in one corked write
 * (without concatenating them), waiting for `drain` whenever the socket's buffer is full. Writing
 * ends the socket once the muxer's source ends. `outbound` makes it the client (odd stream ids).
 */
export function yamuxOverSocket(socket: Socket, direction: "inbound" | "outbound", init: YamuxMuxerInit = {}) {
  // A reset or a peer that went away ends the muxer through its sink; this keeps the error from
  // being unhandled after that.
  socket.on("error", () => socket.destroy());
  const muxer = yamuxFactory({ direction, ...init })({ logger: defaultLogger() }).createStreamMuxer();
  const received = async function* () {
    yield* socket as AsyncIterable<Buffer>;
  };
  void Promise.resolve(muxer.sink(received())).catch(() => socket.destroy());
  void (async () => {
    for await (const frame of muxer.source) {
      let more: boolean;
      if (frame instanceof Uint8Array) more = socket.write(frame);
      else {
        socket.cork();
        more = true;
        for (const part of frame) more = socket.write(part);
        socket.uncork();
      }
      if (!more && !socket.destroyed) await once(socket, "drain");
    }
    socket.end();
  })().catch(() => socket.destroy());
  return muxer;
}
