import { expect } from "chai";
import { SimRandom } from "../../../../src/testing/sim/random.js";

describe("SimRandom (the simulation's seeded generator)", () => {
  it("gives the same stream for the same seed, another for another seed", () => {
    const draw = (seed: number) => Array.from({ length: 8 }, (() => { const r = new SimRandom(seed); return () => r.nextUint32(); })());
    expect(draw(1)).to.deep.equal(draw(1));
    expect(draw(1)).to.not.deep.equal(draw(2));
  });

  it("draws numbers in [0, 1) spread over the interval", () => {
    const r = new SimRandom(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x).to.be.at.least(0).and.below(1);
      buckets[Math.floor(x * 10)]++;
    }
    for (const b of buckets) expect(b).to.be.within(850, 1150);
  });

  it("forks streams that depend on the seed and the label only, not on what was drawn", () => {
    const a = new SimRandom(5);
    const b = new SimRandom(5);
    b.next();
    b.next();
    expect(a.fork(3).next()).to.equal(b.fork(3).next());
    expect(a.fork(3).next()).to.not.equal(a.fork(4).next());
    expect(a.fork(1, 2).next()).to.not.equal(a.fork(2, 1).next());
  });
});
