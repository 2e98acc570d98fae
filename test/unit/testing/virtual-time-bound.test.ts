import { ConfigError } from "../../../src/error-base.js";
import { expect } from "chai";
import { interval, map, take } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { connectedPair, connectedPeers, DEFAULT_MAX_FRAMES, VirtualTimeExceededError } from "../../../src/testing/index.js";
import { TrackedScheduler } from "../../../src/testing/tracked-scheduler.js";
import { testScheduler } from "../../helpers/marbles.js";

/** What `run` threw (the test fails if it threw nothing). */
function thrownBy(ts: TestScheduler, callback: Parameters<TestScheduler["run"]>[0]): unknown {
  try {
    ts.run(callback);
  } catch (error) {
    return error;
  }
  expect.fail("the run ended without an error");
}

describe("the testing kit's bound on virtual time", () => {
  it("a marble test that forgets to close its pair fails at its bound, naming the keepalive pings of both ends, instead of hanging", () => {
    const ts = testScheduler();
    let executed = 0;
    const error = thrownBy(ts, ({ expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts, maxFrames: 10 * 60_000, config: { pingInterval: 60_000 } });
      ts.schedule(() => void a.trySend(1, Uint8Array.of(7)), 1);
      b.keepalive$.subscribe(() => executed++);
      expectObservable(b.channel(1).messages$.pipe(take(1))).toBe("-(m|)", { m: Uint8Array.of(7) });
      // … and no close: keepalive would go on for ever
    });
    expect(error).to.be.instanceOf(VirtualTimeExceededError);
    const e = error as VirtualTimeExceededError;
    expect(e.reason).to.equal("virtual-time-exceeded");
    expect(e.maxFrames).to.equal(600_000);
    expect(e.frame, "stopped at the bound").to.equal(600_000);
    expect(ts.now()).to.equal(600_000);
    expect(executed, "keepalive ran until the bound (a ping and a pong a minute on each side), not past it").to.be.within(10, 40);
    expect([...new Set(e.pending.map((p) => p.label))]).to.deep.equal(["keepalive pings and timers of connectedPair[0]", "keepalive pings and timers of connectedPair[1]"]);
    expect(e.message).to.match(/^virtual time reached 600000, 600000 ms after the pair was made \(its maxFrames\), with work still scheduled: keepalive pings and timers of connectedPair\[0\] \(1 action, the next due at \d+\); keepalive pings and timers of connectedPair\[1\]/);
    expect(e.message).to.include("Close each connection");
    expect(ts.actions, "every action left was cancelled").to.have.length(0);
  });

  it("the default bound is one virtual hour from the helper's call", () => {
    expect(DEFAULT_MAX_FRAMES).to.equal(3_600_000);
    const ts = testScheduler();
    const error = thrownBy(ts, () => {
      ts.schedule(() => void connectedPair({ channels: [{ id: 1 }], scheduler: ts }), 5000);
    });
    expect(error).to.be.instanceOf(VirtualTimeExceededError);
    expect((error as VirtualTimeExceededError).frame).to.equal(5000 + 3_600_000);
  });

  it("connectedPeers names its ends as the array does: connectedPeers[0] is a, over the connection b sends on", () => {
    const ts = testScheduler();
    const error = thrownBy(ts, () => {
      const [a] = connectedPeers({ channels: [{ id: 1 }], scheduler: ts, maxFrames: 1000 });
      // end only a's side: b's connection then sees the remote close, and everything ends
      ts.schedule(() => void a.connection.close(), 2000);
    });
    expect(error).to.be.instanceOf(VirtualTimeExceededError);
    expect([...new Set((error as VirtualTimeExceededError).pending.map((p) => p.label))].sort()).to.deep.equal([
      "keepalive pings and timers of connectedPeers[0]",
      "keepalive pings and timers of connectedPeers[1]",
    ]);
  });

  it("a pair closed before its bound passes, and the check adds nothing once the connections are done", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts, maxFrames: 20 * 60_000 });
      ts.schedule(() => void b.close(), 10 * 60_000);
      expectObservable(a.ended$.pipe(map((r) => r.kind))).toBe("10m (r|)", { r: "remote-closed" });
    });
    // the check ran at the bound and found nothing to report
    expect(ts.now()).to.equal(20 * 60_000);
  });

  it("maxFrames overrides the default: a pair that lives two virtual hours passes with a bound of three, or with Infinity", () => {
    for (const maxFrames of [3 * 3_600_000, Infinity]) {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts, maxFrames });
        ts.schedule(() => void a.close(), 2 * 3_600_000);
        expectObservable(b.ended$.pipe(map((r) => r.kind))).toBe("120m (r|)", { r: "remote-closed" });
      });
    }
  });

  it("refuses a bound that is not a positive number", () => {
    const ts = testScheduler();
    for (const maxFrames of [0, -1, Number.NaN]) {
      expect(() => connectedPair({ channels: [{ id: 1 }], scheduler: ts, maxFrames })).to.throw(ConfigError, /maxFrames must be a positive/);
    }
  });
});

describe("TrackedScheduler", () => {
  it("tracks a repeating timer's next tick under its label until it is unsubscribed", () => {
    const ts = testScheduler();
    ts.run(() => {
      const tracked = new TrackedScheduler(ts, "ticks");
      const sub = interval(10, tracked).subscribe();
      expect(tracked.pending).to.deep.equal([{ label: "ticks", due: 10 }]);
      ts.schedule(() => expect(tracked.pending).to.deep.equal([{ label: "ticks", due: 30 }]), 25);
      ts.schedule(() => {
        sub.unsubscribe();
        expect(tracked.pending).to.deep.equal([]);
      }, 35);
    });
  });

  it("forgets an action once it has run", () => {
    const ts = testScheduler();
    ts.run(() => {
      const tracked = new TrackedScheduler(ts, "once");
      let ran = false;
      tracked.schedule(() => void (ran = true), 5);
      expect(tracked.pending).to.have.length(1);
      ts.schedule(() => expect([ran, tracked.pending]).to.deep.equal([true, []]), 6);
    });
  });
});
