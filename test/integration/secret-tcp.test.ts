import { expect } from "chai";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { firstValueFrom } from "rxjs";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { FrameAuthenticationError } from "../../src/secret/errors.js";
import { FRAME_SEALED_SIZE } from "../../src/secret/frame-cipher.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { tamperingProxy } from "../helpers/proxy.js";
import { within } from "../helpers/tcp.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const channels = [{ id: 1, sendQueueCapacity: 100 }];
const config = { sendRate: 0, recvRate: 0 };

/**
 * A server, and a TCP proxy in front of it that flips one bit of the client → server stream at
 * byte `flipAt` (or forwards faithfully when undefined). Resolves with the server-side sockets.
 */
async function proxied(flipAt: number | undefined) {
  const server: Server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  // sockets accepted and not yet taken, or takers waiting for the next one
  const accepted: Socket[] = [];
  const takers: ((s: Socket) => void)[] = [];
  server.on("connection", (s: Socket) => (takers.shift() ?? ((x: Socket) => accepted.push(x)))(s));
  const proxy = await tamperingProxy((server.address() as { port: number }).port, flipAt);
  return {
    port: proxy.port,
    accepted: (): Promise<Socket> => {
      const s = accepted.shift();
      return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => takers.push(resolve));
    },
    close: () => {
      proxy.close();
      server.close();
    },
  };
}

async function encryptedPair(net: Awaited<ReturnType<typeof proxied>>) {
  const client = connect(net.port, "127.0.0.1");
  await once(client, "connect");
  const serverSocket = await net.accepted();
  const [c, s] = await Promise.all([secretHandshake(socketDuplex(client), generateNodeKey()), secretHandshake(socketDuplex(serverSocket), generateNodeKey())]);
  const a = new MConnection(c.duplex, { channels, config });
  const b = new MConnection(s.duplex, { channels, config });
  return { a, b };
}

describe("SecretConnection over TCP on 127.0.0.1", () => {
  it("a man in the middle flipping one bit of a data frame: the receiver ends with FrameAuthenticationError, delivers only the messages before it, and another connection is untouched", async () => {
    // Bytes before MConnection data: 35 (ephemeral key) + one AuthSigMessage frame; then each
    // 1000-byte message travels as one packet of 1000 + 6 bytes. Flip a bit in the 10th frame.
    const flipAt = 35 + FRAME_SEALED_SIZE + 9 * FRAME_SEALED_SIZE + 200;
    const evil = await proxied(flipAt);
    const good = await proxied(undefined);
    try {
      const bad = await encryptedPair(evil);
      const fine = await encryptedPair(good);
      const messages = Array.from({ length: 40 }, (_, i) => new Uint8Array(1000).fill(i));
      const got: string[] = [];
      const gotFine: string[] = [];
      bad.b.channel(1).messages$.subscribe((m) => got.push(sha(m)));
      fine.b.channel(1).messages$.subscribe((m) => gotFine.push(sha(m)));
      for (const c of [bad.a, bad.b, fine.a, fine.b]) c.start();
      for (const m of messages) {
        bad.a.trySend(1, m);
        fine.a.trySend(1, m);
      }
      const reason = await within(firstValueFrom(bad.b.ended$), 10_000, "the tampered connection to end");
      expect(reason.kind).to.equal("error");
      expect(reason.kind === "error" && reason.error).to.be.instanceOf(FrameAuthenticationError);
      // Messages wholly inside the first 9 frames arrived intact; nothing after the flip did.
      const sent = messages.map(sha);
      expect(got.length).to.be.within(7, 9);
      expect(got).to.deep.equal(sent.slice(0, got.length));
      await within(fine.a.close(), 10_000, "the untouched connection to close");
      expect(gotFine).to.deep.equal(sent);
      await within(firstValueFrom(bad.a.ended$), 10_000, "the sender of the tampered connection to end");
    } finally {
      evil.close();
      good.close();
    }
  });
});
