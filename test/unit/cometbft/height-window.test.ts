import { expect } from "chai";
import { merkleRoot } from "../../../src/cometbft/index.js";
import { BLOCK_PART_SIZE, MAX_BLOCK_PARTS, PartSets, SeenKeys } from "../../../src/cometbft/height-window.js";
import { Block } from "../../../src/proto/tendermint/types/block.js";

const block = (height: bigint) =>
  Block.encode(Block.fromPartial({ header: { height, chainId: "c" }, data: { txs: [Buffer.from("k=v")] } })).finish();

describe("SeenKeys", () => {
  it("reports a key once per height, forgets the heights retain() refuses, and past maxKeys reports again rather than remembering", () => {
    const seen = new SeenKeys(2);
    expect([seen.firstTime(5n, "a"), seen.firstTime(5n, "a"), seen.firstTime(5n, "b")]).to.deep.equal([true, false, true]);
    expect([seen.firstTime(5n, "c"), seen.firstTime(5n, "c")], "the set is full: c is not remembered").to.deep.equal([true, true]);
    expect(seen.firstTime(6n, "a")).to.equal(true);
    expect(seen.size).to.equal(3);
    seen.retain((h) => h > 5n);
    expect(seen.size).to.equal(1);
    expect(seen.firstTime(5n, "a"), "height 5 was forgotten").to.equal(true);
    expect(seen.firstTime(6n, "a"), "height 6 is still remembered").to.equal(false);
  });

  it("holds at most maxKeys keys of 100,000 votes with distinct validator indices at one height", () => {
    const seen = new SeenKeys(10_000);
    let reported = 0;
    for (let i = 0; i < 100_000; i++) if (seen.firstTime(7n, `v/7/0/prevote/${i}/`)) reported++;
    expect([reported, seen.size]).to.deep.equal([100_000, 10_000]);
  });
});

describe("PartSets", () => {
  it("assembles a block from its parts in any order, checked against the proposal's part-set hash", () => {
    const bytes = block(3n);
    const parts = [bytes.subarray(0, 5), bytes.subarray(5)];
    const sets = new PartSets(1000);
    expect(sets.expect(3n, 0, 2, merkleRoot(parts))).to.equal(undefined);
    expect(sets.add(3n, 0, 1, 2, parts[1])).to.equal(undefined);
    expect(sets.add(3n, 0, 1, 2, parts[1]), "a repeated part").to.equal(undefined);
    const done = sets.add(3n, 0, 0, 2, parts[0]);
    expect(done?.ok && [done.block.header?.height, done.bytes]).to.deep.equal([3n, bytes.length]);
    expect(sets.add(3n, 0, 0, 2, parts[0]), "after completion").to.equal(undefined);
  });

  it("says why parts make no block: a hash that differs, bytes that do not decode, more than maxBytes", () => {
    const sets = new PartSets(100);
    sets.expect(1n, 0, 1, new Uint8Array(32));
    expect(sets.add(1n, 0, 0, 1, block(1n))).to.deep.equal({ ok: false, reason: "the parts do not hash to the proposal's part-set hash" });
    const bad = sets.add(2n, 0, 0, 1, Uint8Array.of(0x0a, 0x10));
    expect(bad?.ok === false && bad.reason).to.match(/^the parts do not decode as a block: /);
    expect(sets.add(3n, 0, 0, 2, new Uint8Array(101))).to.deep.equal({ ok: false, reason: "the parts exceed 100 bytes" });
    expect(sets.add(3n, 0, 1, 2, new Uint8Array(1)), "a set given up takes no more parts").to.equal(undefined);
  });

  it("ignores parts with an impossible index or total, a total that differs from the set's, and forgets the heights retain() refuses", () => {
    const sets = new PartSets(1000);
    expect(sets.add(1n, 0, 0, 0, Uint8Array.of(1))).to.equal(undefined);
    expect(sets.add(1n, 0, 5, 2, Uint8Array.of(1))).to.equal(undefined);
    expect(sets.add(1n, 0, -1, 2, Uint8Array.of(1))).to.equal(undefined);
    expect(sets.add(1n, 0, 0, 3, Uint8Array.of(1)), "the set of 1/0 has 2 parts").to.equal(undefined);
    expect(sets.expect(1n, 0, Number.NaN, new Uint8Array(0))).to.equal(undefined);
    sets.add(1n, 0, 0, 2, Uint8Array.of(1));
    sets.retain((h) => h !== 1n);
    expect(sets.add(1n, 0, 1, 2, block(1n)), "height 1's first part was forgotten").to.equal(undefined);
    expect(sets.add(4n, 0, 0, 1, block(4n))?.ok).to.equal(true);
  });

  it("reports a part count above CometBFT's 1,601 and a part above 65,536 bytes, keeping nothing of them", () => {
    const sets = new PartSets(1_000_000);
    expect([MAX_BLOCK_PARTS, BLOCK_PART_SIZE]).to.deep.equal([1601, 65_536]);
    const tooMany = { ok: false, reason: "a part set of 1602 parts, more than CometBFT's 1601" };
    expect(sets.add(1n, 0, 0, 1602, Uint8Array.of(1))).to.deep.equal(tooMany);
    expect(sets.expect(1n, 0, 1602, new Uint8Array(32))).to.deep.equal(tooMany);
    expect(sets.add(1n, 0, 0, 2 ** 53 - 1, new Uint8Array(0))).to.deep.equal({ ok: false, reason: `a part set of ${2 ** 53 - 1} parts, more than CometBFT's 1601` });
    expect(sets.add(1n, 0, 0, 2, new Uint8Array(65_537))).to.deep.equal({ ok: false, reason: "part 0 has 65537 bytes, more than CometBFT's 65536" });
    // None of them made a set: height 1, round 0 still takes a one-part block.
    expect(sets.add(1n, 0, 0, 1, block(1n))?.ok).to.equal(true);
    const full = sets.add(2n, 0, 0, 2, new Uint8Array(65_536));
    expect(full, "a part of exactly 65,536 bytes is kept").to.equal(undefined);
  });

  it("keeps one set per height, of its newest round: a later round replaces it, an earlier one is ignored", () => {
    const sets = new PartSets(1000);
    const bytes = block(7n);
    const parts = [bytes.subarray(0, 5), bytes.subarray(5)];
    expect(sets.add(7n, 0, 0, 2, parts[0])).to.equal(undefined);
    expect(sets.add(7n, 3, 0, 2, parts[0]), "round 3 replaces round 0").to.equal(undefined);
    expect(sets.add(7n, 0, 1, 2, parts[1]), "round 0's set is gone: its last part makes nothing").to.equal(undefined);
    expect(sets.add(7n, 1, 0, 1, bytes), "round 1 is older than round 3").to.equal(undefined);
    // Parts of many rounds at one height hold one set: round after round replaces it.
    for (let round = 4; round < 10_000; round++) sets.add(7n, round, 0, 2, parts[0]);
    expect((sets as unknown as { sets: Map<bigint, unknown> }).sets.size, "sets held").to.equal(1);
    const done = sets.add(7n, 9_999, 1, 2, parts[1]);
    expect(done?.ok && done.block.header?.height).to.equal(7n);
  });
});
