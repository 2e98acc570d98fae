/**
 * `fetchBlock`: one block from one peer over blocksync (channel 0x40).
 * @module
 */
import { asyncScheduler, defer, EMPTY, filter, map, merge, mergeMap, Observable, take, throwError, timeout, type SchedulerLike } from "rxjs";
import type { Peer } from "../p2p/peer.js";
import type { PeerEvent, SwitchChannel } from "../p2p/switch.js";
import type { BlockResponse } from "../proto/tendermint/blocksync/types.js";
import { blocksyncCodec, type BlocksyncMessage } from "./codecs.js";
import { BlockNotAvailableError, BlockRequestTimeoutError, PeerLeftError, SendRefusedError } from "./errors.js";

/** What {@link fetchBlock} needs of a `Switch`: its blocksync channel (with its codec) and peer events. */
export interface BlocksyncSwitch {
  /** The channel `id` (the switch's `channel`). */
  channel<T>(id: number): SwitchChannel<T>;
  readonly peers$: Observable<PeerEvent>;
}

/** Options of {@link fetchBlock}. */
export interface FetchBlockOptions {
  /** How long the peer may take to answer, in ms (default 15,000: CometBFT's blocksync peer timeout). */
  readonly timeoutMs?: number;
  /** For the timeout (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Asks `peer` for the block at `height` and emits its `BlockResponse` (the block and, from v0.38
 * with vote extensions on, its extended commit), then completes. The switch must declare the
 * blocksync channel with its codec (`blocksyncChannels(line)`).
 *
 * ```
 * request ──▶ peer
 * answer:  ----R|         R: BlockResponse for height
 *          ----N          N: NoBlockResponse → #BlockNotAvailableError
 *          ------ (timeoutMs) → #BlockRequestTimeoutError;  peer removed → #PeerLeftError
 * ```
 *
 * @example
 * const { block } = await firstValueFrom(fetchBlock(sw, peer, 42n));
 */
export function fetchBlock(sw: BlocksyncSwitch, peer: Peer, height: bigint, options: FetchBlockOptions = {}): Observable<BlockResponse> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return defer(() => {
    const left$ = sw.peers$.pipe(
      filter((e) => e.type === "removed" && e.peer.id === peer.id),
      mergeMap(() => throwError(() => new PeerLeftError(peer.id))),
    );
    const answer$ = sw.channel<BlocksyncMessage>(0x40).messages$.pipe(
      filter((e) => e.peer.id === peer.id),
      map((e) => e.message.sum),
      filter(
        (s) =>
          (s?.$case === "blockResponse" && s.value.block?.header?.height === height) ||
          (s?.$case === "noBlockResponse" && s.value.height === height),
      ),
      take(1),
      map((s) => {
        if (s?.$case !== "blockResponse") throw new BlockNotAvailableError(peer.id, height);
        return s.value;
      }),
    );
    const request$ = peer
      .queue(0x40, blocksyncCodec.encode({ sum: { $case: "blockRequest", value: { height } } }))
      .pipe(mergeMap((queued) => (queued ? EMPTY : throwError(() => new SendRefusedError(peer.id, 0x40)))));
    return merge(answer$, left$, request$).pipe(
      take(1),
      timeout({ first: timeoutMs, scheduler: options.scheduler ?? asyncScheduler, with: () => throwError(() => new BlockRequestTimeoutError(peer.id, height, timeoutMs)) }),
    );
  });
}
