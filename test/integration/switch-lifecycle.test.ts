/**
 * Shutdown on real sockets: a mutual stop ending both sides with `closed`, a dial cancelled by
 * its signal. (Event order over 1,000 connections: switch-event-order.test.ts.)
 */
import { expect } from "chai";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { DialAbortedError } from "../../src/p2p/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";

const CH = 0x40;

describe("Switch: order and shutdown", function () {
  this.timeout(120_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("a mutual stop() with messages in flight ends both sides with `closed` and delivers every message", async () => {
    for (let run = 0; run < 5; run++) {
      const received = { a: 0, b: 0 };
      const { sw: a } = makeSwitch({ r: { channels: [{ id: CH, sendQueueCapacity: 100 }], receive: () => { received.a++; } } });
      const { sw: b } = makeSwitch({ r: { channels: [{ id: CH, sendQueueCapacity: 100 }], receive: () => { received.b++; } } });
      started.push(a, b);
      await a.start();
      await b.start();
      const removedA = nextPeerEvents(a, "removed", 1);
      const removedB = nextPeerEvents(b, "removed", 1);
      const addedA = nextPeerEvents(a, "added", 1);
      await b.dial(a.address!);
      await addedA;
      const big = new Uint8Array(200_000);
      for (let i = 0; i < 10; i++) {
        a.broadcast(CH, big);
        b.broadcast(CH, big);
      }
      await Promise.all([a.stop(), b.stop()]);
      const [ea] = await removedA;
      const [eb] = await removedB;
      expect([ea.type === "removed" && ea.reason.kind, eb.type === "removed" && eb.reason.kind]).to.deep.equal(["closed", "closed"]);
      expect(received).to.deep.equal({ a: 10, b: 10 });
    }
  });

  it("dial(address, { signal }) is cancelled by the signal: DialAbortedError at once, nothing added", async () => {
    // a listener that accepts TCP and never answers the handshake
    const sockets: Socket[] = [];
    const controller = new AbortController();
    // cancelled once the dial is under way: the silent server accepted it, the handshake waits
    const silent = createServer((s) => {
      sockets.push(s);
      controller.abort();
    }).listen(0, "127.0.0.1");
    await once(silent, "listening");
    const { port } = silent.address() as { port: number };
    try {
      const { sw } = makeSwitch({ r: { channels: [{ id: CH }] } });
      started.push(sw);
      await sw.start();
      const target = `${"ab".repeat(20)}@127.0.0.1:${port}`;
      const dialing = sw.dial(target, { signal: controller.signal });
      const err = await dialing.catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DialAbortedError);
      expect((err as DialAbortedError).peer.id).to.equal("ab".repeat(20));
      // an already-aborted signal refuses at once
      const pre = await sw.dial(target, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect(pre).to.be.instanceOf(DialAbortedError);
      expect(sw.peers.size).to.equal(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
