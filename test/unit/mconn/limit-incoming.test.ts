import { expect } from "chai";
import { limitIncoming } from "../../../src/mconn/limit-incoming.js";
import { TokenBucket } from "../../../src/mconn/token-bucket.js";
import { FakeDuplex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("limitIncoming", () => {
  it("pauses the duplex when a chunk overdraws the budget and resumes once it has refilled", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const chunk = new Uint8Array(500);
      // 1000 B/s with a burst of 1000 B: a and b spend the burst; c, 5 ms later, overdraws by 495.
      const duplex = new FakeDuplex(hot("(ab)-c 1000ms |", { a: chunk, b: chunk, c: chunk }), ts);
      const bucket = new TokenBucket(1000, 1000, ts);
      expectObservable(limitIncoming(duplex, bucket, ts)).toBe("(ab)-c 1000ms |", { a: chunk, b: chunk, c: chunk });
      flush();
      // b leaves the budget at 0: paused until 1 byte is back (1 ms); c leaves it at -495: 496 ms.
      expect(duplex.events).to.deep.equal(["pause@0", "resume@1", "pause@5", "resume@501"]);
    });
  });

  it("holds the average rate: 10 kB at 1000 B/s takes about 9 s of pauses after the first 1000 B", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const chunk = new Uint8Array(1000);
      const duplex = new FakeDuplex(hot("(abcdefghij)", { a: chunk, b: chunk, c: chunk, d: chunk, e: chunk, f: chunk, g: chunk, h: chunk, i: chunk, j: chunk }), ts);
      limitIncoming(duplex, new TokenBucket(1000, 1000, ts), ts).subscribe();
      flush();
      // all ten arrive at once (a fake transport ignores pause), so the deficit is 9 000 B: one pause of 9 001 ms
      expect(duplex.events).to.deep.equal(["pause@0", "resume@9001"]);
    });
  });

  it("passes everything through untouched when the rate is 0 (unlimited)", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const chunk = new Uint8Array(1 << 20);
      const duplex = new FakeDuplex(hot("aaa|", { a: chunk }), ts);
      expectObservable(limitIncoming(duplex, new TokenBucket(0, 0, ts), ts)).toBe("aaa|", { a: chunk });
      flush();
      expect(duplex.events).to.deep.equal([]);
    });
  });
});

describe("limitIncoming on a duplex that reports its wire bytes", () => {
  it("counts the wire bytes, not the chunks: reads that deliver nothing still spend the budget", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const chunk = new Uint8Array(1);
      // three reads of 1044 wire bytes each; only the last delivers a (1-byte) chunk
      const wire$ = hot("abc 3s |", { a: 1044, b: 1044, c: 1044 });
      const duplex = Object.assign(new FakeDuplex(hot("--x 3s |", { x: chunk }), ts), { wireReceived$: wire$ });
      expectObservable(limitIncoming(duplex, new TokenBucket(1000, 1000, ts), ts)).toBe("--x 3s |", { x: chunk });
      flush();
      // a leaves the budget at −44 (paused); b, 1 ms later, at −1087; c at −2130: resumed 2131 ms after c
      expect(duplex.events).to.deep.equal(["pause@0", "resume@2133"]);
    });
  });
});
