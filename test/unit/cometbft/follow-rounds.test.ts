/**
 * followRounds in virtual time: the hold at the committed height after a peer's first message at
 * the next height, what is followed when it ends, and a peer ending during it.
 */
import { expect } from "chai";
import { map, merge, NEVER, Observable, of, Subject, type SchedulerAction, type SchedulerLike, type Subscription } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { consensusCodec, followRounds, type ConsensusMessage, type ConsensusSwitch } from "../../../src/cometbft/index.js";
import { ConfigError } from "../../../src/error-base.js";
import type { Peer } from "../../../src/p2p/peer.js";
import type { Envelope } from "../../../src/p2p/reactor.js";
import type { SwitchChannel } from "../../../src/p2p/switch.js";
import { testScheduler } from "../../helpers/marbles.js";

const PROPOSE = 3;
const COMMIT = 8;
const NEW_HEIGHT = 1;
const NEW_ROUND = 2;

const onChannel20 = (state$: Observable<Envelope<ConsensusMessage>>): ConsensusSwitch => ({
  channel: <T>(id: number) => ({ messages$: id === 0x20 ? state$ : new Subject() }) as unknown as SwitchChannel<T>,
});

/** A peer whose queued round steps come out of `sent$` as `height/round`, and that ends when `ended$` emits. */
function fakePeer(ended$: Observable<unknown> = NEVER): { peer: Peer; sent$: Subject<string> } {
  const sent$ = new Subject<string>();
  const peer = {
    id: "node",
    ended$,
    queue: (channel: number, bytes: Uint8Array) => {
      const m = consensusCodec.decode(bytes);
      if (channel === 0x20 && m.sum?.$case === "newRoundStep" && m.sum.value.step === PROPOSE) sent$.next(`${m.sum.value.height}/${m.sum.value.round}`);
      else sent$.next("unexpected");
      return of(true);
    },
  } as unknown as Peer;
  return { peer, sent$ };
}

const stepOf = (peer: Peer, height: bigint, round: number, step: number, lastCommitRound = 0): Envelope<ConsensusMessage> => ({
  peer,
  channelId: 0x20,
  message: { sum: { $case: "newRoundStep", value: { height, round, step, secondsSinceStartTime: 0n, lastCommitRound } } },
});

/** a: 1/0 Propose, b: 1/0 Commit, c: 2/0 NewHeight, d: 2/0 NewRound, e: 2/1 NewRound (the diagram's). */
const steps = (peer: Peer) => ({
  a: stepOf(peer, 1n, 0, PROPOSE),
  b: stepOf(peer, 1n, 0, COMMIT),
  c: stepOf(peer, 2n, 0, NEW_HEIGHT),
  d: stepOf(peer, 2n, 0, NEW_ROUND),
  e: stepOf(peer, 2n, 1, NEW_ROUND),
  p: stepOf(peer, 2n, 1, PROPOSE),
});

const sentValues = { a: "1/0", d: "2/0", e: "2/1" };

/** `scheduler`, counting the actions scheduled on it and not yet done or cancelled. */
function counting(ts: TestScheduler): { scheduler: SchedulerLike; live: Set<Subscription> } {
  const live = new Set<Subscription>();
  const scheduler: SchedulerLike = {
    now: () => ts.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      const s = ts.schedule(work, delay, state);
      live.add(s);
      s.add(() => live.delete(s));
      return s;
    },
  };
  return { scheduler, live };
}

/** Runs `peer`'s steps (the diagram's letters) through followRounds and expects `sent`. */
function expectAnswers(peer: string, sent: string, lastCommitHold = 5): void {
  const ts = testScheduler();
  ts.run(({ hot, expectObservable }) => {
    const fake = fakePeer();
    const source = hot(peer, steps(fake.peer));
    expectObservable(merge(followRounds(onChannel20(source), { lastCommitHold, scheduler: ts }), fake.sent$)).toBe(sent, sentValues);
  });
}

describe("followRounds: the hold at the committed height", () => {
  it("follows the next height's round at once when the peer waited out its NewHeight step for at least the hold", () => {
    expectAnswers("-a---b--c-----d--", "-a------------d--");
  });

  it("holds the committed height when the peer skips its NewHeight wait, then follows the round it is in", () => {
    expectAnswers("-a---b--c-d------", "-a-----------d---");
  });

  it("follows only the newest round when the peer moved on during the hold, when the hold ends", () => {
    // d (2/0) and e (2/1) in the hold; p is e's round at its next step, so nothing new.
    expectAnswers("-a---b--c-d-e----p", "-a-----------e----");
  });

  it("sends nothing for a peer that ends during the hold, and releases the hold's timer when it ends", () => {
    const ts = testScheduler();
    const liveAt: number[] = [];
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const ended = hot("-----------x|");
      const { peer, sent$ } = fakePeer(ended);
      const { scheduler, live } = counting(ts);
      const source = hot("-a---b--c-d------", steps(peer));
      for (const frame of [10, 12]) ts.schedule(() => liveAt.push(live.size), frame);
      expectObservable(merge(followRounds(onChannel20(source), { lastCommitHold: 5, scheduler }), sent$)).toBe("-a---------------", sentValues);
      // Both watches of the peer's end (its group and its hold) are let go when it ends.
      expectSubscriptions(ended.subscriptions).toBe(["-^---------!", "-^---------!"]);
    });
    expect(liveAt, "the hold's timer at frame 10 (held), and at 12 (after the peer ended at 11)").to.deep.equal([1, 0]);
  });

  it("tells a peer two heights ahead that we are at the height before its own (at that height's commit round) until the hold ends", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const { peer, sent$ } = fakePeer();
      // 2/0 NewHeight, then 3/0 NewHeight (height 2 committed in round 1) during its hold: we go to 2/1 at once;
      // the hold on 3 ends at frame 11 in its NewHeight step (nothing to do), and its NewRound is followed at once.
      const source = hot("-a--c-f------g", { a: stepOf(peer, 1n, 0, PROPOSE), c: stepOf(peer, 2n, 0, NEW_HEIGHT), f: stepOf(peer, 3n, 0, NEW_HEIGHT, 1), g: stepOf(peer, 3n, 0, NEW_ROUND, 1) });
      expectObservable(merge(followRounds(onChannel20(source), { lastCommitHold: 5, scheduler: ts }), sent$)).toBe("-a----f------g", { a: "1/0", f: "2/1", g: "3/0" });
    });
  });

  it("holds each peer on its own", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const x = fakePeer();
      const y = fakePeer();
      const sx = steps(x.peer);
      const sy = steps(y.peer);
      // x skips its wait (held until 13); y waits the hold out (its NewRound followed at once, at 14).
      const source = hot("-ab-----cA-D--B--", { a: sx.a, b: sy.a, c: sx.c, A: sy.c, D: sx.d, B: sy.d });
      const sent$ = merge(x.sent$.pipe(map((s) => `x ${s}`)), y.sent$.pipe(map((s) => `y ${s}`)));
      expectObservable(merge(followRounds(onChannel20(source), { lastCommitHold: 5, scheduler: ts }), sent$)).toBe("-ab----------dB--", { a: "x 1/0", b: "y 1/0", d: "x 2/0", B: "y 2/0" });
    });
  });

  it("with lastCommitHold 0, follows the next height's first round at once", () => {
    expectAnswers("-a---b--c-d------", "-a--------d------", 0);
  });

  it("refuses a negative, infinite or non-numeric lastCommitHold with a ConfigError naming it", () => {
    const sw = onChannel20(NEVER);
    for (const lastCommitHold of [-1, Infinity, NaN, "500" as unknown as number])
      expect(() => followRounds(sw, { lastCommitHold }), String(lastCommitHold)).to.throw(ConfigError, /lastCommitHold/);
    expect(() => followRounds(sw, { scheduler: {} as SchedulerLike })).to.throw(ConfigError, /scheduler/);
  });
});
