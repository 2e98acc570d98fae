import { expect } from "chai";
import { PeerHeights } from "../../../src/cometbft/peer-heights.js";
import type { Peer } from "../../../src/p2p/peer.js";

const peer = (id: string) => ({ id, isRunning: true }) as { id: string; isRunning: boolean };
const as = (p: { id: string }) => p as unknown as Peer;

describe("PeerHeights", () => {
  it("accepts the heights less than reach from the height of at least half of the peers", () => {
    const h = new PeerHeights(3);
    const [a, b, c] = ["a", "b", "c"].map(peer);
    h.note(as(a), 18n, true);
    expect([15n, 16n, 18n, 20n, 21n].map((x) => h.accepts(x))).to.deep.equal([false, true, true, true, false]);
    h.note(as(b), 18n, true);
    h.note(as(c), 2n ** 63n - 1n, true);
    expect([h.accepts(18n), h.accepts(2n ** 63n - 1n)], "one of three far away").to.deep.equal([true, false]);
  });

  it("takes a peer's highest round step as its height; another event sets it only until a step is seen", () => {
    const h = new PeerHeights(2);
    const a = peer("a");
    expect(h.note(as(a), 40n, false)).to.equal(true);
    expect(h.note(as(a), 90n, false), "a vote does not move it").to.equal(false);
    expect(h.accepts(40n)).to.equal(true);
    h.note(as(a), 10n, true);
    expect([h.accepts(10n), h.accepts(40n)], "its first step sets it").to.deep.equal([true, false]);
    expect(h.note(as(a), 9n, true), "a lower step does not").to.equal(false);
    h.note(as(a), 11n, true);
    expect([h.accepts(9n), h.accepts(12n)]).to.deep.equal([false, true]);
  });

  it("stops counting a peer that ended, at the next change of heights", () => {
    const h = new PeerHeights(2);
    const [a, b, liar] = ["a", "b", "liar"].map(peer);
    h.note(as(liar), 1_000n, true);
    h.note(as(a), 5n, true);
    expect(h.accepts(1_000n), "one of two").to.equal(true);
    a.isRunning = false;
    h.note(as(b), 5n, true);
    expect([h.peers, h.accepts(5n), h.accepts(1_000n)]).to.deep.equal([2, true, true]);
    liar.isRunning = false;
    h.note(as(b), 6n, true);
    expect([h.peers, h.accepts(1_000n)]).to.deep.equal([1, false]);
  });
});
