import { expect } from "chai";
import { handshakePatience, HandshakeSlots } from "../../../../src/p2p/admission/handshake-slots.js";

/** A handshake that records its eviction; `talking` once it has sent something. */
function holder(name: string, log: string[], talking = false) {
  const h = { talking, silent: () => !h.talking, evict: () => log.push(name) };
  return h;
}

/** A clock the test moves. */
function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

describe("HandshakeSlots", () => {
  it("gives a new handshake the slot of the oldest silent one when all are taken, else of the oldest past its patience", () => {
    const evicted: string[] = [];
    const time = clock();
    const slots = new HandshakeSlots(3, time);
    const a = holder("a", evicted, true);
    const c = holder("c", evicted);
    slots.take(a);
    slots.take(holder("b", evicted));
    const freeC = slots.take(c)!;
    expect([slots.size, evicted]).to.deep.equal([3, []]);
    slots.take(holder("d", evicted, true)); // b is the oldest silent one (a has sent something)
    expect(evicted).to.deep.equal(["b"]);
    c.talking = true;
    // nobody silent, and a is within its patience (`most` until a handshake completed): refused
    expect(slots.patience).to.equal(handshakePatience.most);
    expect(slots.take(holder("e", evicted, true))).to.equal(undefined);
    expect([slots.size, evicted, slots.refusals]).to.deep.equal([3, ["b"], 1]);
    time.t = handshakePatience.most;
    slots.take(holder("e", evicted, true)); // a is past its patience: it goes
    expect(evicted).to.deep.equal(["b", "a"]);
    freeC();
    freeC(); // idempotent
    slots.take(holder("f", evicted)); // a free slot: nobody goes
    expect([slots.size, evicted, slots.evictions, slots.refusals]).to.deep.equal([3, ["b", "a"], 2, 1]);
  });

  it("sets the patience from the handshakes that completed: factor × their moving average, within its bounds", () => {
    const time = clock();
    const slots = new HandshakeSlots(64, time);
    const complete = (ms: number) => {
      const free = slots.take(holder("x", [], true))!;
      time.t += ms;
      free(true);
    };
    complete(50);
    expect(slots.patience).to.equal(handshakePatience.factor * 50);
    for (let i = 0; i < 100; i++) complete(10);
    expect(slots.patience).to.equal(handshakePatience.least);
    for (let i = 0; i < 100; i++) complete(5000);
    expect(slots.patience).to.equal(handshakePatience.most);
    // a failed handshake does not count
    const free = slots.take(holder("y", [], true))!;
    time.t += 1;
    free(false);
    expect(slots.patience).to.equal(handshakePatience.most);
  });

  it("a burst of talking handshakes beyond the slots: those under way complete, the rest are refused (none evicted)", () => {
    const time = clock();
    const slots = new HandshakeSlots(4, time);
    const evicted: string[] = [];
    const frees: ((completed?: boolean) => void)[] = [];
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const free = slots.take(holder(`h${i}`, evicted, true));
      if (free === undefined) refused++;
      else frees.push(free);
      time.t += 1; // 100 arrivals in 100 ms, each handshake taking longer
    }
    expect([frees.length, refused, evicted]).to.deep.equal([4, 96, []]);
    for (const f of frees) f(true);
    expect(slots.size).to.equal(0);
  });
});
