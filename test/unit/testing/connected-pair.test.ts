import { filter, map, take } from "rxjs";
import { expect } from "chai";
import { connectedPair, connectedPeers } from "../../../src/testing/index.js";
import { testScheduler } from "../../helpers/marbles.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe("connectedPair (testing kit)", () => {
  it("marble-tests a small echo reactor without sockets", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [client, server] = connectedPair({ channels: [{ id: 7, sendQueueCapacity: 10 }], scheduler: ts, splitSeed: 3 });
      // the reactor under test: answers "ping:x" with "pong:x" on the same channel
      server.channel(7).messages$.pipe(map(str), filter((m) => m.startsWith("ping:"))).subscribe((m) => server.trySend(7, text(`pong:${m.slice(5)}`)));
      cold("a 9ms b").subscribe((v) => client.trySend(7, text(`ping:${v}`)));
      // Keepalive timers run for as long as a connection lives: end it so the run can finish.
      ts.schedule(() => void client.close(), 20);
      expectObservable(client.channel(7).messages$.pipe(map(str), take(2))).toBe("a 9ms (b|)", { a: "pong:a", b: "pong:b" });
    });
  });

  it("keeps a quiet pair alive in virtual time, then reports the remote close", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts, config: { pingInterval: 60_000, pongTimeout: 45_000 } });
      // Ten pings each way are answered in time; then b closes and a sees a clean remote close.
      ts.schedule(() => void b.close(), 10 * 60_000);
      expectObservable(a.ended$.pipe(map((r) => r.kind))).toBe("10m (r|)", { r: "remote-closed" });
      expectObservable(b.ended$.pipe(map((r) => r.kind))).toBe("10m (c|)", { c: "closed" });
    });
  });

  it("connectedPeers: a reactor's peer-facing code, marble-tested (send$ on one, messages on the other)", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a, b] = connectedPeers({ channels: [{ id: 0x40, sendQueueCapacity: 5 }], scheduler: ts });
      // a is the node at the far end as b's side sees it: what b sends arrives on a's connection
      expect(a.id).to.equal("a".repeat(40));
      expect(b.hasChannel(0x40)).to.equal(true);
      expectObservable(a.connection.channel(0x40).messages$.pipe(map(str), take(2))).toBe("5ms x 4ms (y|)", { x: "one", y: "two" });
      cold("5ms x 4ms y", { x: "one", y: "two" }).subscribe((t) => b.send$.next({ channelId: 0x40, message: text(t) }));
      ts.schedule(() => void b.connection.close(), 20);
    });
  });
});
