import { expect } from "chai";
import { asapScheduler } from "rxjs";
import { immediateScheduler } from "../../../src/mconn/immediate-scheduler.js";
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

  it("cancelled work never runs; work may reschedule itself, with a delay", async () => {
    let cancelledRan = false;
    immediateScheduler.schedule(() => (cancelledRan = true)).unsubscribe();
    const runs: number[] = [];
    await new Promise<void>((resolve) => {
      immediateScheduler.schedule(
        function (n) {
          runs.push(n);
          if (n < 3) this.schedule(n + 1, 1);
          else resolve();
        },
        0,
        1,
      );
    });
    expect(cancelledRan).to.equal(false);
    expect(runs).to.deep.equal([1, 2, 3]);
  });

  it("follows virtual time inside TestScheduler.run", () => {
    const ts = testScheduler();
    const at: number[] = [];
    ts.run(({ flush }) => {
      immediateScheduler.schedule(() => at.push(ts.now()), 5);
      immediateScheduler.schedule(() => at.push(ts.now()));
      flush();
    });
    expect(at).to.deep.equal([0, 5]);
  });
});
