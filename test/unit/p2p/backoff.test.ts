import { expect } from "chai";
import { defer, throwError } from "rxjs";
import { backoffDefaults, reconnectDelay, retryWithBackoff } from "../../../src/p2p/backoff.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("reconnect backoff", () => {
  it("follows CometBFT's schedule: 20 attempts 5 s apart, then 10 at 3^i s, jitter under 3 s", () => {
    const none = () => 0;
    const delays = Array.from({ length: 31 }, (_, k) => reconnectDelay(k + 1, none));
    expect(delays[0]).to.equal(undefined); // the first attempt is immediate
    expect(delays.slice(1, 20)).to.deep.equal(new Array(19).fill(5000));
    expect(delays[20]).to.equal(5000 + 3000);
    expect(delays.slice(21, 30)).to.deep.equal([9, 27, 81, 243, 729, 2187, 6561, 19683, 59049].map((s) => s * 1000));
    expect(reconnectDelay(31, none)).to.equal(undefined);
    const max = () => 0.9999;
    expect(reconnectDelay(2, max)).to.equal(5000 + 2999);
  });

  it("retries a failing dial on the schedule and gives up with the last error (marble)", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const dial = cold("-#", undefined, new Error("refused"));
      const backoff = { steadyAttempts: 2, steadyInterval: 5, backoffAttempts: 2, backoffBaseSeconds: 2, jitter: 0 };
      // attempts at 0 and 6 (5 ms after the first failure); then 5 ms + 2 s after the second
      // failure (2012); then 4 s (6013); the last fails at 6014
      expectObservable(dial.pipe(retryWithBackoff({ backoff, random: () => 0 }))).toBe("6014ms #", undefined, new Error("refused"));
      expectSubscriptions(dial.subscriptions).toBe(["^!", "6ms ^!", "2012ms ^!", "6013ms ^!"]);
    });
  });

  it("stops at the first success", () => {
    testScheduler().run(({ expectObservable }) => {
      let attempts = 0;
      const dial = defer(() => (++attempts < 3 ? throwError(() => new Error("no")) : ["peer"]));
      const backoff = { ...backoffDefaults, jitter: 0 };
      expectObservable(dial.pipe(retryWithBackoff({ backoff }))).toBe("10s (p|)", { p: "peer" });
    });
  });

  it("stops early when told the error is final", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const dial = cold("-#", undefined, new Error("already connected"));
      expectObservable(dial.pipe(retryWithBackoff({ shouldRetry: () => false }))).toBe("-#", undefined, new Error("already connected"));
    });
  });
});
