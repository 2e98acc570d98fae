import { expect } from "chai";
import { asapScheduler, type SchedulerLike } from "rxjs";
import { immediateScheduler, microtaskScheduler } from "../../../src/mconn/task-schedulers.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("immediateScheduler", () => {
  it("runs work on a macrotask: after every microtask of the turn, including ones queued meanwhile", async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      immediateScheduler.schedule(() => {
        order.push("immediate");
        resolve();
      });
      asapScheduler.schedule(() => {
        order.push("asap");
        void Promise.resolve().then(() => order.push("microtask queued by a microtask"));
      });
    });
    expect(order).to.deep.equal(["asap", "microtask queued by a microtask", "immediate"]);
  });
});

describe("microtaskScheduler", () => {
  it("runs work on a microtask: after the code running now, in order with other microtasks, before a macrotask", async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        order.push("immediate");
        resolve();
      });
      void Promise.resolve().then(() => order.push("microtask before"));
      microtaskScheduler.schedule(() => order.push("scheduled"));
      void Promise.resolve().then(() => order.push("microtask after"));
      order.push("sync");
    });
    expect(order).to.deep.equal(["sync", "microtask before", "scheduled", "microtask after", "immediate"]);
  });

  it("work rescheduled while its microtask runs waits for the next one: a microtask queued meanwhile runs between", async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      microtaskScheduler.schedule(
        function (n) {
          order.push(`run ${n}`);
          if (n > 1) {
            resolve();
            return;
          }
          void Promise.resolve().then(() => order.push("other"));
          this.schedule(n + 1);
        },
        0,
        1,
      );
    });
    expect(order).to.deep.equal(["run 1", "other", "run 2"]);
  });
});

describe("microtaskScheduler, an action scheduled twice before it ran", () => {
  it("runs once, and work it reschedules then waits for the next microtask", async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      const action = microtaskScheduler.schedule<number>(
        function (n) {
          order.push(`run ${n}`);
          if (n === 2) {
            void Promise.resolve().then(() => order.push("other"));
            this.schedule(3);
          } else if (n === 3) resolve();
        },
        0,
        1,
      );
      (action as unknown as { schedule(state: number): unknown }).schedule(2);
    });
    expect(order).to.deep.equal(["run 2", "other", "run 3"]);
  });
});

for (const [name, scheduler] of [
  ["immediateScheduler", immediateScheduler],
  ["microtaskScheduler", microtaskScheduler],
] as const satisfies readonly (readonly [string, SchedulerLike])[]) {
  describe(`${name}, as any scheduler`, () => {
    it("cancelled work never runs, also when already queued; work rescheduled before it ran runs once, with the latest state", async () => {
      let cancelledRan = false;
      scheduler.schedule(() => (cancelledRan = true)).unsubscribe();
      const runs: number[] = [];
      const action = scheduler.schedule<number>(function (n) {
        runs.push(n);
      }, 0, 1);
      (action as unknown as { schedule(state: number): unknown }).schedule(2);
      await new Promise((resolve) => setImmediate(resolve)); // queued after the action's run
      expect(cancelledRan).to.equal(false);
      expect(runs).to.deep.equal([2]);
      expect(action.closed).to.equal(true);
    });

    it("work may reschedule itself, with a delay (a timer) and without", async () => {
      const runs: number[] = [];
      await new Promise<void>((resolve) => {
        scheduler.schedule(
          function (n) {
            runs.push(n);
            if (n < 3) this.schedule(n + 1, n === 1 ? 1 : 0);
            else resolve();
          },
          0,
          1,
        );
      });
      expect(runs).to.deep.equal([1, 2, 3]);
    });

    it("follows virtual time inside TestScheduler.run", () => {
      const ts = testScheduler();
      const at: number[] = [];
      ts.run(({ flush }) => {
        scheduler.schedule(() => at.push(ts.now()), 5);
        scheduler.schedule(() => at.push(ts.now()));
        flush();
      });
      expect(at).to.deep.equal([0, 5]);
    });
  });
}
