/**
 * consensusEvents$ on real switches on loopback: two peers send the consensus messages real
 * CometBFT nodes sent (test/vectors/cometbft-messages), and each event is reported once, typed.
 */
import { expect } from "chai";
import { filter, firstValueFrom, map, NEVER, Observable, of, Subject, take, throwError, toArray } from "rxjs";
import { consensusChannels, consensusCodec, consensusEvents$, followRounds, type ConsensusEvent, type ConsensusMessage, type ConsensusSwitch } from "../../../src/cometbft/index.js";
import { PeerEndedError } from "../../../src/p2p/errors.js";
import type { Peer } from "../../../src/p2p/peer.js";
import type { Envelope } from "../../../src/p2p/reactor.js";
import type { Switch, SwitchChannel } from "../../../src/p2p/switch.js";
import { SignedMsgType } from "../../../src/proto/tendermint/types/types.js";
import { testScheduler } from "../../helpers/marbles.js";
import { makeSwitch } from "../../helpers/switches.js";
import { within } from "../../helpers/tcp.js";
import { readVectors } from "../../helpers/vectors.js";

interface Recorded {
  messages: { channel: number; type: string; hex: string }[];
}

const KINDS = ["roundStep", "proposal", "vote", "blockPart", "hasVote"];

describe("consensusEvents$", () => {
  const switches: Switch[] = [];
  afterEach(async () => {
    await Promise.all(switches.splice(0).map((s) => s.stop()));
  });

  async function started(): Promise<Switch> {
    const { sw } = makeSwitch({ consensus: { channels: consensusChannels("v1") } });
    switches.push(sw);
    await sw.start();
    return sw;
  }

  for (const version of ["v0.34.35", "v0.38.26", "v1.0.1"]) {
    it(`reports each consensus message a CometBFT ${version} node sent once, typed, though two peers send it`, async () => {
      const consensus = readVectors<Recorded>(`cometbft-messages/${version}.json`).messages.filter((m) => m.channel >= 0x20 && m.channel <= 0x23);
      const [watcher, a, b] = [await started(), await started(), await started()];
      const events: ConsensusEvent[] = [];
      const subscription = consensusEvents$(watcher).subscribe((e) => events.push(e));
      // Three markers after the duplicates, one per channel that carries events (a channel keeps its order).
      const markers = firstValueFrom(consensusEvents$(watcher).pipe(filter((e) => e.height === 99n), take(3), toArray()));
      for (const sender of [a, b]) {
        const peer = await within(sender.dial(watcher.address!), 10_000, "dialing");
        for (const m of consensus) await peer.send(m.channel, Buffer.from(m.hex, "hex"));
      }
      const peerB = [...b.peers.values()][0];
      // B's step to height 99 first: events are reported near the heights peers stepped to, and
      // a vote (channel 0x22) queued with it could overtake it (a channel of higher priority).
      const stepped = firstValueFrom(consensusEvents$(watcher).pipe(filter((e) => e.height === 99n)));
      await peerB.send(0x20, consensusCodec.encode({ sum: { $case: "newRoundStep", value: { height: 99n, round: 0, step: 1, secondsSinceStartTime: 0n, lastCommitRound: 0 } } }));
      await within(stepped, 10_000, "B's step to height 99");
      await peerB.send(0x20, consensusCodec.encode({ sum: { $case: "hasVote", value: { height: 99n, round: 0, type: SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, index: 0 } } }));
      const vote = consensusCodec.decode(Buffer.from(consensus.find((m) => m.type === "vote")!.hex, "hex"));
      const marker = { sum: { $case: "vote", value: { vote: { ...(vote.sum as { value: { vote: object } }).value.vote, height: 99n } } } } as ConsensusMessage;
      await peerB.send(0x22, consensusCodec.encode(marker));
      await within(markers, 10_000, "the markers");
      subscription.unsubscribe();

      const before = events.filter((e) => e.height !== 99n);
      const kinds = before.map((e) => e.kind);
      for (const kind of KINDS) expect(kinds.filter((k) => k === kind), `${kind} in ${kinds.join(",")}`).to.have.length(1);
      const v = before.find((e): e is Extract<ConsensusEvent, { kind: "vote" }> => e.kind === "vote")!;
      const sent = (vote.sum as { value: { vote: { validatorIndex: number; validatorAddress: Uint8Array; type: number } } }).value.vote;
      expect([v.validatorIndex, Buffer.from(v.validatorAddress).toString("hex"), v.type]).to.deep.equal([
        sent.validatorIndex,
        Buffer.from(sent.validatorAddress).toString("hex"),
        sent.type === 1 ? "prevote" : "precommit",
      ]);
      expect(v.peer.id).to.equal(a.nodeId);
      // The one-part block of the recorded proposal makes a block event with its header.
      const block = before.filter((e) => e.kind === "block" || e.kind === "badBlock");
      expect(block.map((e) => e.kind)).to.deep.equal(["block"]);
      const part = before.find((e) => e.kind === "blockPart")!;
      expect(block[0].kind === "block" && [block[0].header.height, block[0].header.proposerAddress.length]).to.deep.equal([part.height, 20]);
    });
  }
});

describe("followRounds", () => {
  const switches: Switch[] = [];
  afterEach(async () => {
    await Promise.all(switches.splice(0).map((s) => s.stop()));
  });

  it("answers a peer's first round step and each new round (not its NewHeight step) with our NewRoundStep at step Propose, and nothing else (no hold)", async () => {
    const [watcher, node] = [makeSwitch({ consensus: { channels: consensusChannels("v1") } }).sw, makeSwitch({ consensus: { channels: consensusChannels("v1") } }).sw];
    switches.push(watcher, node);
    await watcher.start();
    await node.start();
    // The hold after a new height is tested in virtual time (follow-rounds.test.ts); here, the wire.
    const subscription = followRounds(watcher, { lastCommitHold: 0 }).subscribe();
    const received: ConsensusMessage[] = [];
    node.channel<ConsensusMessage>(0x20).messages$.subscribe(({ message }) => received.push(message));
    node.channel<ConsensusMessage>(0x22).messages$.subscribe(({ message }) => received.push(message));
    const peer = await within(node.dial(watcher.address!), 10_000, "dialing");
    const step = (height: bigint, round: number, s: number) =>
      peer.send(0x20, consensusCodec.encode({ sum: { $case: "newRoundStep", value: { height, round, step: s, secondsSinceStartTime: 5n, lastCommitRound: 0 } } }));
    const three = firstValueFrom(node.channel<ConsensusMessage>(0x20).messages$.pipe(map((e) => e.message), take(3), toArray()));
    await step(5n, 0, 3); // first: followed
    await step(5n, 0, 4); // same round: not
    await step(6n, 0, 1); // NewHeight of the next height: not (we stay to get height 5's last commit)
    await step(6n, 0, 3); // the next height's round: followed
    await step(6n, 1, 2); // a new round: followed
    const answers = await within(three, 10_000, "three answers");
    subscription.unsubscribe();
    expect(answers.map((m) => m.sum?.$case === "newRoundStep" && [m.sum.value.height, m.sum.value.round, m.sum.value.step, m.sum.value.secondsSinceStartTime])).to.deep.equal([
      [5n, 0, 3, 0n],
      [6n, 0, 3, 0n],
      [6n, 1, 3, 0n],
    ]);
    expect(received).to.have.length(3);
  });
});

describe("followRounds (marbles)", () => {
  const stepOf = (peer: Peer, height: bigint): Envelope<ConsensusMessage> => ({
    peer,
    channelId: 0x20,
    message: { sum: { $case: "newRoundStep", value: { height, round: 0, step: 3, secondsSinceStartTime: 0n, lastCommitRound: 0 } } },
  });
  const onChannel20 = (state$: Observable<Envelope<ConsensusMessage>>): ConsensusSwitch => ({
    channel: <T>(id: number) => ({ messages$: id === 0x20 ? state$ : new Subject() }) as unknown as SwitchChannel<T>,
  });

  it("keeps following the other peers when a peer's queue fails (it ended) or throws", () => {
    const queued: string[] = [];
    const ended = { id: "ended", ended$: NEVER, queue: () => throwError(() => new PeerEndedError(0x20, { id: "ended" })) } as unknown as Peer;
    const throwing = { id: "throwing", ended$: NEVER, queue: () => { throw new Error("queue threw"); } } as unknown as Peer;
    const live = { id: "live", ended$: NEVER, queue: (_: number, bytes: Uint8Array) => (queued.push(Buffer.from(bytes).toString("hex")), of(true)) } as unknown as Peer;
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot("-a-b-c-d", { a: stepOf(ended, 1n), b: stepOf(throwing, 1n), c: stepOf(live, 1n), d: stepOf(live, 2n) });
      expectObservable(followRounds(onChannel20(source))).toBe("--------", {});
    });
    expect(queued, "both of live's rounds were answered").to.have.length(2);
  });
});

describe("consensusEvents$ (marbles)", () => {
  const peer = { id: "aa", isRunning: true } as unknown as Peer;
  const step = (height: bigint, s: number): Envelope<ConsensusMessage> => ({
    peer,
    channelId: 0x20,
    message: { sum: { $case: "newRoundStep", value: { height, round: 0, step: s, secondsSinceStartTime: 0n, lastCommitRound: 0 } } },
  });
  const fakeSwitch = (state$: Observable<Envelope<ConsensusMessage>>): ConsensusSwitch => ({
    channel: <T>(id: number) => ({ messages$: id === 0x20 ? state$ : new Subject() }) as unknown as SwitchChannel<T>,
  });

  it("reports a step once, stamped with the scheduler's now(), and forgets heights older than the window", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // 1/3 twice (reported once), heights 2, 3 and 4 push height 1 out of a 2-height window: its step is then too old.
      const source = hot("-a-a-b-c-d-a", { a: step(1n, 3), b: step(2n, 3), c: step(3n, 3), d: step(4n, 3) });
      const events = consensusEvents$(fakeSwitch(source), { heights: 2 }).pipe(map((e) => `${e.kind}@${e.height}/${e.receivedAt}`));
      expectObservable(events).toBe("-a---b-c-d", { a: "roundStep@1/1", b: "roundStep@2/5", c: "roundStep@3/7", d: "roundStep@4/9" });
    });
  });

  const stepFrom = (from: Peer, height: bigint): Envelope<ConsensusMessage> => ({ ...step(height, 3), peer: from });
  const voteFrom = (from: Peer, height: bigint, index: number): Envelope<ConsensusMessage> => ({
    peer: from,
    channelId: 0x22,
    message: { sum: { $case: "vote", value: { vote: { type: SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, height, round: 0, validatorIndex: index, validatorAddress: new Uint8Array(20), blockId: undefined, timestamp: undefined, signature: new Uint8Array(0), extension: new Uint8Array(0), extensionSignature: new Uint8Array(0) } } } },
  });
  const onChannels = (state$: Observable<Envelope<ConsensusMessage>>, votes$: Observable<Envelope<ConsensusMessage>>): ConsensusSwitch => ({
    channel: <T>(id: number) => ({ messages$: id === 0x20 ? state$ : id === 0x22 ? votes$ : new Subject() }) as unknown as SwitchChannel<T>,
  });

  it("still reports height 18 after one peer's round step at height 2⁶³−1: that peer moves its own window only", () => {
    const honest = { id: "honest", isRunning: true } as unknown as Peer;
    const liar = { id: "liar", isRunning: true } as unknown as Peer;
    testScheduler().run(({ hot, expectObservable }) => {
      const state = hot("-a-x-b----", { a: stepFrom(honest, 17n), x: stepFrom(liar, 2n ** 63n - 1n), b: stepFrom(honest, 18n) });
      const votes = hot("-------v-w", { v: voteFrom(honest, 18n, 0), w: voteFrom(liar, 18n, 1) });
      const events = consensusEvents$(onChannels(state, votes)).pipe(map((e) => `${e.kind}@${e.height}`));
      expectObservable(events).toBe("-a-x-b-v-w", { a: "roundStep@17", x: `roundStep@${2n ** 63n - 1n}`, b: "roundStep@18", v: "vote@18", w: "vote@18" });
    });
  });

  it("does not report a far height one peer of three tells of, while the other two are far from it", () => {
    const [a, b, liar] = ["a", "b", "liar"].map((id) => ({ id, isRunning: true }) as unknown as Peer);
    testScheduler().run(({ hot, expectObservable }) => {
      const state = hot("-a-b-x-c", { a: stepFrom(a, 18n), b: stepFrom(b, 18n), x: stepFrom(liar, 2n ** 63n - 1n), c: stepFrom(a, 19n) });
      const votes = hot("--------v-w", { v: voteFrom(liar, 2n ** 63n - 1n, 0), w: voteFrom(b, 19n, 0) });
      const events = consensusEvents$(onChannels(state, votes)).pipe(map((e) => `${e.kind}@${e.height}`));
      expectObservable(events).toBe("-a-----c--w", { a: "roundStep@18", c: "roundStep@19", w: "vote@19" });
    });
  });
});
