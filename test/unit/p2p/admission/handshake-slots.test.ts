import { expect } from "chai";
import { HandshakeSlots } from "../../../../src/p2p/admission/handshake-slots.js";

/** A handshake that records its eviction; `talking` once it has sent something. */
function holder(name: string, log: string[], talking = false) {
  const h = { talking, silent: () => !h.talking, evict: () => log.push(name) };
  return h;
}

describe("HandshakeSlots", () => {
  it("gives a new handshake the slot of the oldest silent one when all are taken, else of the oldest", () => {
    const evicted: string[] = [];
    const slots = new HandshakeSlots(3);
    const a = holder("a", evicted, true);
    const b = holder("b", evicted);
    const c = holder("c", evicted);
    slots.take(a);
    slots.take(b);
    const freeC = slots.take(c);
    expect([slots.size, evicted]).to.deep.equal([3, []]);
    slots.take(holder("d", evicted, true)); // b is the oldest silent one (a has sent something)
    expect(evicted).to.deep.equal(["b"]);
    c.talking = true;
    slots.take(holder("e", evicted, true)); // nobody silent: the oldest, a, goes
    expect(evicted).to.deep.equal(["b", "a"]);
    freeC();
    freeC(); // idempotent
    slots.take(holder("f", evicted)); // a free slot: nobody goes
    expect([slots.size, evicted, slots.evictions]).to.deep.equal([3, ["b", "a"], 2]);
  });
});
