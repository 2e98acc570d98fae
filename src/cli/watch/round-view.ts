/**
 * What `rx-mconn watch` keeps of each round and how it prints an event: the time each round
 * started (its first `NewRound` step seen), and per height the votes that arrived.
 */
import type { ConsensusEvent } from "../../cometbft/consensus-event.js";
import { headerHash } from "../../cometbft/header-hash.js";
import { hex } from "../cometbft-peer.js";

const short = (bytes: Uint8Array) => (bytes.length === 0 ? "nil" : hex(bytes).slice(0, 12));
const NEW_ROUND = 2;
const PROPOSE = 3;

/** One height as seen so far. */
interface HeightView {
  round: number;
  proposer?: string;
  parts: { got: number; total: number };
  votes: Record<"prevote" | "precommit", Map<number, number>>;
}

/** The rounds and heights seen, for the `ms` after round start and the per-height summary. */
export class RoundView {
  private readonly starts = new Map<string, number>();
  private readonly started = new Set<string>();
  private readonly heights = new Map<bigint, HeightView>();

  /** Milliseconds between the start of `e`'s round and `e`'s arrival. */
  sinceRoundStart(e: ConsensusEvent): number {
    const key = `${e.height}/${e.round}`;
    const start = this.starts.get(key);
    // A round starts at its NewRound step (nodes often announce Propose straight away); until
    // one of those is seen, at the first event of the round.
    if (start === undefined || (e.kind === "roundStep" && (e.step === NEW_ROUND || e.step === PROPOSE) && !this.started.has(key))) {
      if (e.kind === "roundStep" && (e.step === NEW_ROUND || e.step === PROPOSE)) this.started.add(key);
      this.starts.set(key, e.receivedAt);
      return 0;
    }
    return e.receivedAt - start;
  }

  /**
   * Notes `e`; returns the summary lines of the heights it closes: those two or more below its
   * height (a node sends a height's last precommits and block parts while it waits to start the next).
   */
  note(e: ConsensusEvent, ms: number): string[] {
    const closed: string[] = [];
    for (const [h, view] of this.heights)
      if (h < e.height - 1n) {
        closed.push(summary(h, view));
        this.heights.delete(h);
      }
    for (const k of this.starts.keys())
      if (BigInt(k.split("/")[0]) < e.height - 2n) {
        this.starts.delete(k);
        this.started.delete(k);
      }
    let view = this.heights.get(e.height);
    if (view === undefined) this.heights.set(e.height, (view = { round: e.round, parts: { got: 0, total: 0 }, votes: { prevote: new Map(), precommit: new Map() } }));
    if (e.round > view.round) view = Object.assign(view, { round: e.round, parts: { got: 0, total: 0 }, votes: { prevote: new Map(), precommit: new Map() } });
    if (e.round !== view.round) return closed;
    if (e.kind === "vote" && !view.votes[e.type].has(e.validatorIndex)) view.votes[e.type].set(e.validatorIndex, ms);
    if (e.kind === "blockPart") view.parts = { got: view.parts.got + 1, total: e.total };
    if (e.kind === "block") view.proposer = hex(e.header.proposerAddress);
    return closed;
  }

  /** The summaries of every height still open (at the end of a run). */
  flush(): string[] {
    const lines = [...this.heights].map(([h, view]) => summary(h, view));
    this.heights.clear();
    return lines;
  }
}

function votes(m: Map<number, number>): string {
  return [...m].sort(([a], [b]) => a - b).map(([i, ms]) => `#${i} +${ms}`).join(" ");
}

function summary(height: bigint, v: HeightView): string {
  return `height ${height} round ${v.round}: proposer ${v.proposer?.slice(0, 12) ?? "?"}, parts ${v.parts.got}/${v.parts.total}, prevotes ${v.votes.prevote.size} [${votes(v.votes.prevote)}], precommits ${v.votes.precommit.size} [${votes(v.votes.precommit)}] (ms after round start)`;
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

/** `e` as one JSON line: ids and hashes in uppercase hex, heights as strings, `ms` after round start. */
export function eventJson(e: ConsensusEvent, ms: number): string {
  const base = { kind: e.kind, height: e.height.toString(), round: e.round, peer: e.peer.id, receivedAt: e.receivedAt, msAfterRoundStart: ms };
  switch (e.kind) {
    case "roundStep":
      return JSON.stringify({ ...base, step: e.step, stepName: e.stepName });
    case "proposal":
      return JSON.stringify({ ...base, blockHash: hex(e.blockHash), partsTotal: e.partsTotal, polRound: e.polRound });
    case "vote":
      return JSON.stringify({ ...base, type: e.type, validatorIndex: e.validatorIndex, validatorAddress: hex(e.validatorAddress), blockHash: hex(e.blockHash) });
    case "blockPart":
      return JSON.stringify({ ...base, index: e.index, total: e.total, bytes: e.bytes.length });
    case "hasVote":
      return JSON.stringify({ ...base, type: e.type, validatorIndex: e.validatorIndex });
    case "block":
      return JSON.stringify({ ...base, hash: hex(headerHash(e.header) ?? new Uint8Array(0)), proposer: hex(e.header.proposerAddress), txs: e.txs, bytes: e.bytes });
    case "badBlock":
      return JSON.stringify({ ...base, reason: e.reason });
  }
}
