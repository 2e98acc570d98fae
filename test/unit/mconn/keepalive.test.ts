import { expect } from "chai";
import { asyncScheduler, Subject } from "rxjs";
import { PingFloodError, PongTimeoutError } from "../../../src/errors.js";
import { keepalive } from "../../../src/mconn/keepalive.js";
import { limitPingRate } from "../../../src/mconn/limit-ping-rate.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("keepalive", () => {
  const opts = { pingInterval: 5, pongTimeout: 3 };

  it("pings once nothing has been received for pingInterval, and again after each answer", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // answers arrive 1 ms after each ping; a ping follows 5 ms after each arrival
      const received = hot("------a-----b-----c--|");
      expectObservable(received.pipe(keepalive(opts))).toBe("-----p-----p-----p---|", { p: "ping" });
    });
  });

  it("any packet, not only a pong, resets the idle timer", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const received = hot("--a--b--c--d-------|");
      expectObservable(received.pipe(keepalive(opts))).toBe("----------------p--|", { p: "ping" });
    });
  });

  it("fails with PongTimeoutError when nothing arrives within pongTimeout after the ping", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const received = hot("a------------------|");
      expectObservable(received.pipe(keepalive(opts))).toBe("-----p--#", { p: "ping" }, new PongTimeoutError(3));
    });
  });

  it("an arrival just before the pong timeout keeps the connection", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const received = hot("-------a-----|");
      // first ping at 5, arrival at 7 (within 3), next ping 5 after it (12)
      expectObservable(received.pipe(keepalive(opts))).toBe("-----p------p|", { p: "ping" });
    });
  });

  it("completes with the source and holds no timer afterwards", () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const received = hot("--a-|");
      expectObservable(received.pipe(keepalive(opts))).toBe("----|");
      expectSubscriptions(received.subscriptions).toBe("^---!");
    });
  });

  it("passes the source's errors through", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const received = hot("--a-#");
      expectObservable(received.pipe(keepalive(opts))).toBe("----#");
    });
  });

  it("a sign of life that arrives while the ping is being emitted ends the wait for one", () => {
    const pings: number[] = [];
    let failed: unknown;
    testScheduler().run(() => {
      // A peer on an in-memory duplex can answer inside the ping's own emission.
      const received = new Subject<string>();
      const sub = received.pipe(keepalive(opts)).subscribe({
        next: () => {
          pings.push(asyncScheduler.now());
          received.next("pong");
        },
        error: (err: unknown) => (failed = err),
      });
      asyncScheduler.schedule(() => sub.unsubscribe(), 17);
    });
    expect(failed).to.equal(undefined);
    expect(pings).to.deep.equal([5, 10, 15]);
  });

  it("uses CometBFT's 60 s / 45 s timing", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const received = hot("a 70s b 200s |");
      expectObservable(received.pipe(keepalive({ pingInterval: 60_000, pongTimeout: 45_000 }))).toBe(
        "60s p 70000ms p 44999ms #",
        { p: "ping" },
        new PongTimeoutError(45_000),
      );
    });
  });
});

describe("limitPingRate", () => {
  it("lets a burst through, refills over time, and fails on the first ping beyond the rate", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // burst 2, 1 per second: a a at 1 ms spend both tokens; b at 1002 ms has one again;
      // c right after has none (only ~0.001 refilled).
      const pings = hot("-aa 999ms b c-|");
      expectObservable(pings.pipe(limitPingRate({ burst: 2, perSecond: 1 }))).toBe(
        "-aa 999ms b #",
        undefined,
        new PingFloodError("2 at once, 1 per second"),
      );
    });
  });

  it("never fails a peer pinging at CometBFT's pace (once a minute)", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const pings = hot("a 59999ms b 59999ms c 59999ms d|");
      expectObservable(pings.pipe(limitPingRate({ burst: 10, perSecond: 1 }))).toBe("a 59999ms b 59999ms c 59999ms d|");
    });
  });
});
