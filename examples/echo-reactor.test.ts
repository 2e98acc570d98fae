import { expect } from "chai";
import { filter, map, take } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { connectedPair } from "rx-mconn/testing";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const testScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

describe("an echo reactor, marble-tested without sockets", () => {
  it("answers each ping in the frame it arrives", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [client, server] = connectedPair({ channels: [{ id: 7, sendQueueCapacity: 10 }], scheduler: ts, splitSeed: 3 });
      // the reactor under test: answers "ping:x" with "pong:x" on the same channel
      server.channel(7).messages$
        .pipe(map(str), filter((m) => m.startsWith("ping:")))
        .subscribe((m) => server.trySend(7, text(`pong:${m.slice(5)}`)));
      // the client pings at frames 0 and 10 …
      cold("a 9ms b").subscribe((v) => client.trySend(7, text(`ping:${v}`)));
      // (keepalive timers run for as long as a connection lives: end it so the run can finish)
      ts.schedule(() => void client.close(), 20);
      // … and gets each answer in the same frame
      expectObservable(client.channel(7).messages$.pipe(map(str), take(2)))
        .toBe("a 9ms (b|)", { a: "pong:a", b: "pong:b" });
    });
  });

  it("keeps a quiet pair alive for ten virtual minutes, then sees the remote close", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts, config: { pingInterval: 60_000, pongTimeout: 45_000 } });
      ts.schedule(() => void b.close(), 10 * 60_000);
      expectObservable(a.ended$.pipe(map((r) => r.kind))).toBe("10m (r|)", { r: "remote-closed" });
      expectObservable(b.ended$.pipe(map((r) => r.kind))).toBe("10m (c|)", { c: "closed" });
    });
  });
});
