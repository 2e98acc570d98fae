import { filter, map, take } from "rxjs";
import { connectedPair } from "../../../src/testing/index.js";
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
});
