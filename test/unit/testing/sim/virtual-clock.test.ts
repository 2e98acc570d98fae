import { expect } from "chai";
import { timer } from "rxjs";
import { VirtualClock } from "../../../../src/testing/sim/virtual-clock.js";

describe("VirtualClock (the simulation's scheduler)", () => {
  it("runs actions by due time, then in the order they were scheduled", async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.schedule(() => seen.push(`b@${clock.now()}`), 20);
    clock.schedule(() => seen.push(`a@${clock.now()}`), 10);
    clock.schedule(() => seen.push(`c@${clock.now()}`), 20);
    await clock.runUntil(100);
    expect(seen).to.deep.equal(["a@10", "b@20", "c@20"]);
    expect(clock.now()).to.equal(100);
  });

  it("lets promise work finish before time moves on", async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.schedule(() => {
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        seen.push(`after two awaits @${clock.now()}`);
        clock.schedule(() => seen.push(`scheduled from a promise @${clock.now()}`));
      })();
    }, 5);
    clock.schedule(() => seen.push(`later @${clock.now()}`), 6);
    await clock.runUntil(10);
    expect(seen).to.deep.equal(["after two awaits @5", "scheduled from a promise @5", "later @6"]);
  });

  it("drives RxJS timers, reschedules and cancellations", async () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    const sub = timer(0, 100, clock).subscribe(() => ticks.push(clock.now()));
    const cancelled = clock.schedule(() => ticks.push(-1), 50);
    cancelled.unsubscribe();
    clock.schedule(() => sub.unsubscribe(), 350);
    await clock.runUntil(1000);
    expect(ticks).to.deep.equal([0, 100, 200, 300]);
  });

  it("stops the run with what an action threw", async () => {
    const clock = new VirtualClock();
    clock.schedule(() => {
      throw new Error("boom");
    }, 3);
    let error: unknown;
    await clock.runUntil(10).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error).with.property("message", "boom");
    expect(clock.now()).to.equal(3);
  });
});
