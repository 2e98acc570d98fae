import { quietFor } from "../../../src/cli/watch/quiet-for.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("quietFor", () => {
  it("emits once when the source has been silent for the time given since its last value, and completes", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot("--a--b-------------");
      expectObservable(source.pipe(quietFor(5))).toBe("----------(q|)", { q: 5 });
    });
  });

  it("counts from subscription when the source says nothing at all, and a source that completes is quiet from its last value", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot("-------").pipe(quietFor(3))).toBe("---(q|)", { q: 3 });
      expectObservable(hot("-a|").pipe(quietFor(3))).toBe("----(q|)", { q: 3 });
    });
  });

  it("never emits while values keep coming closer together than the time given; passes an error on", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot("-a-a-a-a-a-a-a-a").pipe(quietFor(3)), "^--------------!").toBe("----------------");
      expectObservable(hot("-a-#").pipe(quietFor(3))).toBe("---#");
    });
  });
});
