/**
 * What `rx-mconn watch` keeps of each round and how it prints an event: the time each round
 * started (its first `NewRound` step seen), and per height the votes that arrived. Bounded
 * whatever peers send: {@link OPEN_HEIGHTS} heights, {@link ROUNDS_TIMED} rounds timed per
 * height, the votes of one round per height with validator indices below
 * {@link MAX_VALIDATORS}; a summary lists at most {@link VOTES_LISTED} votes of each type. Each
 * event costs constant work, however many rounds or heights were seen.
 */
import type { ConsensusEvent } from "../../cometbft/consensus-event.js";
import { headerHash } from "../../cometbft/header-hash.js";
import { hex } from "../cometbft-peer.js";

const short = (bytes: Uint8Array) => (bytes.length === 0 ? "nil" : hex(bytes).slice(0, 12));
const NEW_HEIGHT = 1;
const NEW_ROUND = 2;
const PROPOSE = 3;

/** CometBFT's `types.MaxVotesCount`: no validator set is larger, so no valid vote has a higher index. */
export const MAX_VALIDATORS = 10_000;
/** The most heights open at once (summarised when closed). */
export const OPEN_HEIGHTS = 4;
/** The most rounds per height whose start time is kept (the newest). */
export const ROUNDS_TIMED = 4;
/** The most votes of each type a height's summary lists (the lowest indices); the rest are counted. */
export const VOTES_LISTED = 100;

type Votes = Record<"prevote" | "precommit", Map<number, number>>;

/** One height as seen so far. */
interface HeightView {
  round: number;
  proposer?: string;
  parts: { got: number; total: number };
  votes: Votes;
  /** Votes whose validator index no validator set has. */
  impossible: number;
  /** Something past the `NewHeight` step was seen: a later step, a proposal, a vote, a part. */
  started: boolean;
}

/** When each of a height's newest rounds started, and whether at a NewRound or Propose step. */
type RoundStarts = Map<number, { at: number; stepped: boolean }>;

const freshVotes = (): Votes => ({ prevote: new Map(), precommit: new Map() });

/** The rounds and heights seen, for the `ms` after round start and the per-height summary. */
export class RoundView {
  private readonly starts = new Map<bigint, RoundStarts>();
  private readonly heights = new Map<bigint, HeightView>();

  /** Milliseconds between the start of `e`'s round and `e`'s arrival. */
  sinceRoundStart(e: ConsensusEvent): number {
    let rounds = this.starts.get(e.height);
    if (rounds === undefined) {
      for (const h of this.starts.keys()) if (h < e.height - 2n) this.starts.delete(h);
      this.starts.set(e.height, (rounds = new Map() as RoundStarts));
      dropLowest(this.starts, OPEN_HEIGHTS);
    }
    const start = rounds.get(e.round);
    const stepped = e.kind === "roundStep" && (e.step === NEW_ROUND || e.step === PROPOSE);
    // A round starts at its NewRound step (nodes often announce Propose straight away); until
    // one of those is seen, at the first event of the round.
    if (start === undefined || (stepped && !start.stepped)) {
      rounds.set(e.round, { at: e.receivedAt, stepped });
      dropLowest(rounds, ROUNDS_TIMED);
      return 0;
    }
    return e.receivedAt - start.at;
  }

  /**
   * Notes `e`; returns the summary lines of the heights it closes that started (a height seen
   * only at its `NewHeight` step has nothing to summarise): those two or more below its height
   * (a node sends a height's last precommits and block parts while it waits to start the
   * next), and the lowest when more than {@link OPEN_HEIGHTS} are open.
   */
  note(e: ConsensusEvent, ms: number): string[] {
    const closed: string[] = [];
    // A node announces the next height (NewHeight) while it waits out timeout_commit; the
    // height starts at its NewRound step, or with anything else of it.
    const starts = !(e.kind === "roundStep" && e.step === NEW_HEIGHT);
    let view = this.heights.get(e.height);
    if (view === undefined) {
      for (const [h, old] of this.heights)
        if (h < e.height - 1n) {
          if (old.started) closed.push(summary(h, old));
          this.heights.delete(h);
        }
      this.heights.set(e.height, (view = { round: e.round, parts: { got: 0, total: 0 }, votes: freshVotes(), impossible: 0, started: starts }));
      for (const [h, old] of dropLowest(this.heights, OPEN_HEIGHTS)) if (old.started) closed.push(summary(h, old));
    }
    if (starts) view.started = true;
    if (e.round > view.round) Object.assign(view, { round: e.round, parts: { got: 0, total: 0 }, votes: freshVotes(), impossible: 0, proposer: undefined });
    if (e.round !== view.round) return closed;
    if (e.kind === "vote") {
      if (!Number.isInteger(e.validatorIndex) || e.validatorIndex < 0 || e.validatorIndex >= MAX_VALIDATORS) view.impossible++;
      else if (!view.votes[e.type].has(e.validatorIndex)) view.votes[e.type].set(e.validatorIndex, ms);
    }
    if (e.kind === "blockPart") view.parts = { got: view.parts.got + 1, total: e.total };
    if (e.kind === "block") view.proposer = hex(e.header.proposerAddress);
    return closed;
  }

  /** The summaries of every height still open that started (at the end of a run). */
  flush(): string[] {
    const lines = [...this.heights].filter(([, view]) => view.started).map(([h, view]) => summary(h, view));
    this.heights.clear();
    return lines;
  }

  /** How many entries are held: heights, timed rounds and votes (for tests). */
  get entries(): number {
    let n = this.heights.size + this.starts.size;
    for (const rounds of this.starts.values()) n += rounds.size;
    for (const v of this.heights.values()) n += v.votes.prevote.size + v.votes.precommit.size;
    return n;
  }
}

/** Deletes the lowest keys of `map` past `max` entries; returns what it deleted. */
function dropLowest<K extends bigint | number, V>(map: Map<K, V>, max: number): [K, V][] {
  const dropped: [K, V][] = [];
  while (map.size > max) {
    let lowest: [K, V] | undefined;
    for (const entry of map) if (lowest === undefined || entry[0] < lowest[0]) lowest = entry;
    if (lowest === undefined) break;
    dropped.push(lowest);
    map.delete(lowest[0]);
  }
  return dropped;
}

function votes(m: Map<number, number>): string {
  const listed = [...m].sort(([a], [b]) => a - b).slice(0, VOTES_LISTED).map(([i, ms]) => `#${i} +${ms}`);
  if (m.size > VOTES_LISTED) listed.push(`… ${m.size - VOTES_LISTED} more`);
  return listed.join(" ");
}

function summary(height: bigint, v: HeightView): string {
  const impossible = v.impossible === 0 ? "" : `, ${v.impossible} vote(s) with a validator index of ${MAX_VALIDATORS} or more ignored`;
  return `height ${height} round ${v.round}: proposer ${v.proposer?.slice(0, 12) ?? "?"}, parts ${v.parts.got}/${v.parts.total}, prevotes ${v.votes.prevote.size} [${votes(v.votes.prevote)}], precommits ${v.votes.precommit.size} [${votes(v.votes.precommit)}]${impossible} (ms after round start)`;
}

/** One line for `e`, or undefined for events not shown live (has-vote). */
export function eventLine(e: ConsensusEvent, ms: number): string | undefined {
  const at = `${e.height}/${e.round}`.padEnd(10);
  switch (e.kind) {
    case "roundStep":
      return `${at}step ${e.stepName.padEnd(13)} +${ms} ms`;
    case "proposal":
      return `${at}proposal ${short(e.blockHash)} in ${e.partsTotal} part(s), POL round ${e.polRound}  +${ms} ms`;
    case "vote":
      return `${at}${e.type.padEnd(10)} #${e.validatorIndex} ${short(e.validatorAddress)} for ${short(e.blockHash)}  +${ms} ms`;
    case "blockPart":
      return `${at}block part ${e.index + 1} of ${e.total}  +${ms} ms`;
    case "block":
      return `${at}block ${short(headerHash(e.header) ?? new Uint8Array(0))} proposer ${short(e.header.proposerAddress)}, ${e.txs} tx(s), ${e.bytes} bytes`;
    case "badBlock":
      return `${at}block parts make no block: ${e.reason}`;
    case "hasVote":
      return undefined;
  }
}
