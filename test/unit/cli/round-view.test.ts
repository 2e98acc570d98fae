import { expect } from "chai";
import type { ConsensusEvent } from "../../../src/cometbft/index.js";
import type { Peer } from "../../../src/p2p/peer.js";
import { MAX_VALIDATORS, OPEN_HEIGHTS, RoundView, ROUNDS_TIMED, VOTES_LISTED } from "../../../src/cli/watch/round-view.js";

const peer = { id: "aa" } as unknown as Peer;
const vote = (height: bigint, round: number, validatorIndex: number, receivedAt = 0): ConsensusEvent => ({
  kind: "vote",
  peer,
  receivedAt,
  height,
  round,
  type: "prevote",
  validatorIndex,
  validatorAddress: new Uint8Array(20),
  blockHash: new Uint8Array(0),
  partsTotal: 0,
  partsHash: new Uint8Array(0),
  timestamp: undefined,
});
const step = (height: bigint, round: number, receivedAt: number, n = 2): ConsensusEvent => ({
  kind: "roundStep",
  peer,
  receivedAt,
  height,
  round,
  step: n,
  stepName: n === 1 ? "NewHeight" : "NewRound",
  secondsSinceStartTime: 0n,
  lastCommitRound: 0,
});
const seeAll = (view: RoundView, events: Iterable<ConsensusEvent>) => {
  const lines: string[] = [];
  for (const e of events) lines.push(...view.note(e, view.sinceRoundStart(e)));
  return lines;
};

describe("RoundView (watch)", () => {
  it("keeps at most one entry per validator index below CometBFT's 10,000 of 100,000 distinct indices at one height, and a short summary", () => {
    const view = new RoundView();
    seeAll(view, (function* () {
      for (let i = 0; i < 100_000; i++) yield vote(7n, 0, i);
    })());
    // One height (its view and its round starts), one timed round, and the votes of indices 0..9,999.
    expect(view.entries).to.equal(2 + 1 + MAX_VALIDATORS);
    const [line] = view.flush();
    expect(line).to.match(new RegExp(`prevotes ${MAX_VALIDATORS} \\[#0 \\+0 .* … ${MAX_VALIDATORS - VOTES_LISTED} more\\].*90000 vote\\(s\\) with a validator index of 10000 or more ignored`));
    expect(line.length).to.be.below(2_000);
  });

  it("holds a bounded number of rounds and heights however many are seen, timing each event from its round's start", () => {
    const view = new RoundView();
    seeAll(view, (function* () {
      for (let round = 0; round < 50_000; round++) yield step(7n, round, round * 10);
    })());
    expect(view.entries, "one height, its newest rounds").to.equal(2 + ROUNDS_TIMED);
    expect(view.sinceRoundStart(vote(7n, 49_999, 0, 499_995))).to.equal(5);
    const closed = seeAll(view, (function* () {
      for (let h = 1_000n; h < 50_000n; h += 2n) yield vote(h, 0, 0);
    })());
    expect(closed.length, "each height closed once, with its summary").to.equal(1 + 24_500 - 1);
    expect(view.entries).to.be.at.most(2 * OPEN_HEIGHTS + OPEN_HEIGHTS * ROUNDS_TIMED + OPEN_HEIGHTS * 2 * MAX_VALIDATORS);
    expect(view.flush()).to.have.length(1);
  });

  it("closes the lowest height when more than OPEN_HEIGHTS are open (heights far apart, as one peer can make them)", () => {
    const view = new RoundView();
    const closed = seeAll(view, [vote(2n ** 63n - 1n, 0, 0), vote(2n ** 63n - 2n, 0, 0), vote(18n, 0, 0), vote(19n, 0, 0), vote(17n, 0, 0)]);
    expect(closed.map((l) => l.split(" ")[1])).to.deep.equal(["17"]);
    expect(view.flush().map((l) => l.split(" ")[1])).to.have.members(["18", "19", String(2n ** 63n - 1n), String(2n ** 63n - 2n)]);
  });

  it("gives no summary for a height seen only at its NewHeight step, at the end of a run or when a later height closes it; one that started gets one", () => {
    const view = new RoundView();
    // height 5 runs; the node announces height 6 (NewHeight) while it waits out timeout_commit
    seeAll(view, [step(5n, 0, 0), vote(5n, 0, 0, 10), step(6n, 0, 20, 1)]);
    expect(view.flush().map((l) => l.split(":")[0])).to.deep.equal(["height 5 round 0"]);
    // a height closed by a later one: summarised only if it started
    const later = new RoundView();
    const closed = seeAll(later, [step(6n, 0, 0, 1), vote(7n, 0, 0, 5), step(8n, 0, 10, 1), vote(9n, 0, 0, 20)]);
    expect(closed.map((l) => l.split(":")[0])).to.deep.equal(["height 7 round 0"]);
    // its NewRound step starts a height
    const started = new RoundView();
    seeAll(started, [step(6n, 0, 0, 1), step(6n, 0, 5, 2)]);
    expect(started.flush().map((l) => l.split(":")[0])).to.deep.equal(["height 6 round 0"]);
  });
});
