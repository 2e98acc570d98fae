import { countByKey } from "../../../src/p2p/count-by-key.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("countByKey", () => {
  it("emits one summary per window, opened by the first item after a quiet spell, and the open window on completion", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot("-a-b-a----------a--|");
      expectObservable(source.pipe(countByKey((k) => k, 5, ts))).toBe("------x------------(y|)", {
        x: { total: 3, counts: { a: 2, b: 1 } },
        y: { total: 1, counts: { a: 1 } },
      });
    });
  });

  it("a flood of items gives at most one summary per period", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      // ten items at frame 0, ten at 12, ten at 24 (a group takes as many frames as its characters); complete at 36
      const flood = cold("(aaaaaaaaaa)(bbbbbbbbbb)(aaaaaaaaaa)|");
      expectObservable(flood.pipe(countByKey((k) => k, 20, ts))).toBe("20ms x 15ms (y|)", {
        x: { total: 20, counts: { a: 10, b: 10 } },
        y: { total: 10, counts: { a: 10 } },
      });
    });
  });

  it("arms no timer while the source is quiet", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot("------------|");
      expectObservable(source.pipe(countByKey((k) => k, 2, ts))).toBe("------------|");
      expectSubscriptions(source.subscriptions).toBe("^-----------!");
    });
  });

  it("routes a throwing keyOf to the subscriber's error", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const boom = new Error("boom");
      const keyOf = (k: string) => {
        if (k === "b") throw boom;
        return k;
      };
      expectObservable(hot("-a-b-a|").pipe(countByKey(keyOf, 10, ts))).toBe("---#", undefined, boom);
    });
  });
});
