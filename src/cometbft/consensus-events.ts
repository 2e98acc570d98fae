/**
 * `consensusEvents$`: what consensus does, seen from the P2P layer — round steps, proposals,
 * votes, block parts, has-vote announcements and the blocks the parts make — from every peer on
 * the consensus channels (0x20–0x23), each reported once.
 * @module
 */
import { asyncScheduler, defer, EMPTY, merge, mergeMap, Observable, of, type SchedulerLike } from "rxjs";
import type { SwitchChannel } from "../p2p/switch.js";
import type { Block } from "../proto/tendermint/types/block.js";
import type { ConsensusMessage } from "./codecs.js";
import { toConsensusEvent, type ConsensusEvent } from "./consensus-event.js";
import { PartSets, SeenKeys } from "./height-window.js";
import { PeerHeights } from "./peer-heights.js";

/** What {@link consensusEvents$} needs of a `Switch`: its consensus channels, declared with their codec. */
export interface ConsensusSwitch {
  /** The channel `id` (the switch's `channel`). */
  channel<T>(id: number): SwitchChannel<T>;
}

/** Options of {@link consensusEvents$}. */
export interface ConsensusEventsOptions {
  /**
   * How far from the peers' heights events are reported (default 3): an event at height `h` is
   * reported when `h` is less than this far from the height of at least half of the peers (a
   * peer's height is that of its highest round step). Keys and block parts are remembered for
   * those heights only.
   */
  readonly heights?: number;
  /** At most this many event keys remembered per height (default 100,000). */
  readonly maxKeysPerHeight?: number;
  /**
   * The largest block assembled from its parts, in bytes (default 22,020,096: CometBFT's default
   * `block.max_bytes`); 0 assembles none (no `block` events, no parts kept). Parts are kept for
   * the newest round of each remembered height only, so at most `heights` × this many bytes.
   */
  readonly maxBlockBytes?: number;
  /** Gives `receivedAt` (default `asyncScheduler`, i.e. `Date.now()`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Emits the {@link ConsensusEvent}s the switch's peers tell of on channels 0x20–0x23, each once
 * — whichever peer tells of it first — for the heights near those of the peers: a vote is one
 * event however many peers gossip it. Events at a height far from the height of at least half
 * of the peers (`heights` or more away) are not reported: one peer telling of height 2⁶³−1
 * cannot move the others' window (their heights are still reported, and its far ones are not
 * while it is less than half of the peers), and once the peers are past a height, what arrives
 * of it late is not reported again. When every part of a proposed block arrived, a `block`
 * event carries its header (the proposer among it), or `badBlock` says why the parts make no block.
 * The switch must declare the consensus channels with their codec (`consensusChannels(line)`).
 *
 * ```
 * peer A:  --v---s--      v: a vote of validator 0, s: a round step
 * peer B:  ---v-----s     (the same vote and step, gossiped on)
 * result:  --v---s--
 * ```
 *
 * @example
 * consensusEvents$(sw).pipe(filter((e) => e.kind === "vote")).subscribe((v) => console.log(v.height, v.type, v.validatorIndex));
 */
export function consensusEvents$(sw: ConsensusSwitch, options: ConsensusEventsOptions = {}): Observable<ConsensusEvent> {
  const heights = options.heights ?? 3;
  const maxKeys = options.maxKeysPerHeight ?? 100_000;
  const maxBlockBytes = options.maxBlockBytes ?? 22_020_096;
  const scheduler = options.scheduler ?? asyncScheduler;
  return defer(() => {
    const window = new PeerHeights(heights);
    const seen = new SeenKeys(maxKeys);
    const parts = new PartSets(maxBlockBytes);
    const accepts = (h: bigint) => window.accepts(h);
    const channels = [0x20, 0x21, 0x22, 0x23].map((id) => sw.channel<ConsensusMessage>(id).messages$);
    return merge(...channels).pipe(
      mergeMap(({ peer, message }) => {
        const found = toConsensusEvent(peer, message, scheduler.now());
        if (found === undefined) return EMPTY;
        const e = found.event;
        if (window.note(peer, e.height, e.kind === "roundStep")) {
          seen.retain(accepts);
          parts.retain(accepts);
        }
        if (!window.accepts(e.height) || !seen.firstTime(e.height, found.key)) return EMPTY;
        if (maxBlockBytes === 0) return of(e);
        const assembled =
          e.kind === "blockPart" ? parts.add(e.height, e.round, e.index, e.total, e.bytes) : e.kind === "proposal" ? parts.expect(e.height, e.round, e.partsTotal, e.partsHash) : undefined;
        if (assembled === undefined) return of(e);
        const at = { peer, receivedAt: e.receivedAt, height: e.height, round: e.round };
        const block = assembled.ok ? blockEvent(at, assembled.block, assembled.bytes) : ({ kind: "badBlock", ...at, reason: assembled.reason } as const);
        return of(e, block);
      }),
    );
  });
}

function blockEvent(at: Omit<Extract<ConsensusEvent, { kind: "block" }>, "kind" | "header" | "txs" | "bytes">, block: Block, bytes: number): ConsensusEvent {
  if (block.header === undefined) return { kind: "badBlock", ...at, reason: "the block has no header" };
  return { kind: "block", ...at, header: block.header, txs: block.data?.txs.length ?? 0, bytes };
}
