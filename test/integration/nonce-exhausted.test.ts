/**
 * A connection that runs out of send nonces ends with NonceExhaustedError, on whichever duplex it
 * runs: `ByteDuplex.destroy(error)` surfaces `error` as the end, not a clean remote close.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { firstValueFrom } from "rxjs";
import { duplexPair } from "../../src/duplex/duplex-pair.js";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { NonceExhaustedError } from "../../src/secret/errors.js";
import { secretDuplex } from "../../src/secret/secret-duplex.js";
import { tcpPair, within } from "../helpers/tcp.js";

const LAST = 2n ** 64n - 1n;

/** MConnections over sealed duplexes whose `a` side has one send nonce left. */
function nearlyExhausted([rawA, rawB]: [ByteDuplex, ByteDuplex]): [MConnection, MConnection] {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const a = secretDuplex(rawA, { sendKey: k1, recvKey: k2, firstSendFrame: LAST - 1n });
  const b = secretDuplex(rawB, { sendKey: k2, recvKey: k1, firstRecvFrame: LAST - 1n });
  const channels = [{ id: 1, sendQueueCapacity: 10 }];
  return [new MConnection(a, { channels }), new MConnection(b, { channels })];
}

describe("a send-side NonceExhaustedError ends the connection as such", () => {
  async function exhaust(raw: [ByteDuplex, ByteDuplex]) {
    const [a, b] = nearlyExhausted(raw);
    const got: number[] = [];
    b.channel(1).messages$.subscribe((m) => got.push(m.length));
    a.start();
    b.start();
    expect(await a.send(1, new Uint8Array(100))).to.equal(true); // one frame: the last nonce
    expect(await a.send(1, new Uint8Array(100))).to.equal(true); // queued; sealing it fails
    const reason = await within(firstValueFrom(a.ended$), 5000, "a's end");
    expect(reason.kind).to.equal("error");
    expect(reason.kind === "error" && reason.error).to.be.instanceOf(NonceExhaustedError);
    await within(firstValueFrom(b.ended$), 5000, "b's end");
    expect(got).to.deep.equal([100]);
  }

  it("over an in-memory pair", async () => {
    await exhaust(duplexPair());
  });

  it("over a TCP socket on 127.0.0.1", async () => {
    const { client, server, close } = await tcpPair();
    try {
      await exhaust([socketDuplex(client), socketDuplex(server)]);
    } finally {
      await close();
    }
  });
});
