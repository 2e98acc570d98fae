/**
 * `blocks$`: a range of blocks over blocksync (channel 0x40), from every peer that has the
 * channel, a bounded number of requests at a time per peer.
 * @module
 */
import { ConfigError } from "../error-base.js";
import { Observable, Subscription } from "rxjs";
import type { BudgetAccount, MemoryBudget } from "../mconn/memory-budget.js";
import type { Peer } from "../p2p/peer.js";
import { BlockResponse } from "../proto/tendermint/blocksync/types.js";
import { fetchBlock, type BlocksyncSwitch, type FetchBlockOptions } from "./fetch-block.js";

/** What {@link blocks$} needs of a `Switch`: {@link BlocksyncSwitch} and its current peers. */
export interface BlocksSwitch extends BlocksyncSwitch {
  readonly peers: ReadonlyMap<string, Peer>;
  /** The process's memory budget (a `Switch` has one): blocks held out of order are drawn from it. */
  readonly memoryBudget?: MemoryBudget;
}

/** Options of {@link blocks$}. */
export interface BlocksOptions extends FetchBlockOptions {
  /** Requests open at once to one peer (default 20: CometBFT's `maxPendingRequestsPerPeer`). */
  readonly maxPendingPerPeer?: number;
  /**
   * How far ahead of the next block to emit requests may go, in heights (default 100): bounds
   * the blocks held while an earlier one is still on its way.
   */
  readonly window?: number;
  /**
   * What blocks held out of order are drawn from (default: the switch's `memoryBudget`, if
   * any), as one account of their own. A block that does not fit its share is let go and asked
   * for again once the next block to emit has arrived; so is every held block when the account
   * is ended to make room for others. The next block to emit is never held, so it always passes.
   */
  readonly memoryBudget?: MemoryBudget;
  /** Which peers to ask (default: every peer whose NodeInfo lists channel 0x40). */
  readonly peers?: (peer: Peer) => boolean;
}

/**
 * Fetches the blocks `from`..`to` (inclusive) with {@link fetchBlock} and emits their
 * `BlockResponse`s in height order, then completes. Each height goes to the peer with the fewest
 * open requests (at most `maxPendingPerPeer` each); a height that fails on a peer (no block,
 * timeout, peer gone) is asked of another, and when every peer has failed it, `blocks$` fails
 * with the last error (e.g. `BlockNotAvailableError`). With no peer yet, it waits for one.
 * Blocks held while an earlier one is on its way are bounded by `window` and drawn from the
 * memory budget (see {@link BlocksOptions.memoryBudget}).
 *
 * ```
 * peers:   A B            heights 1..3, A slow on 2
 * A:       -1---2         B: --3
 * result:  -1---(23|)
 * ```
 *
 * @example
 * blocks$(sw, 1n, 50n).subscribe(({ block }) => console.log(block?.header?.height));
 */
export function blocks$(sw: BlocksSwitch, from: bigint, to: bigint, options: BlocksOptions = {}): Observable<BlockResponse> {
  const maxPending = options.maxPendingPerPeer ?? 20;
  const window = BigInt(options.window ?? 100);
  const choose = options.peers ?? (() => true);
  if (!(maxPending >= 1) || !(window >= 1n)) throw new ConfigError("blocks$: maxPendingPerPeer and window must be at least 1");
  return new Observable<BlockResponse>((subscriber) => {
    const subscriptions = new Subscription();
    const received = new Map<bigint, BlockResponse>();
    /** Bytes of each held block, as reserved from the budget. */
    const sizes = new Map<bigint, number>();
    /** Heights let go for want of memory: asked again once the next block has been emitted. */
    const deferred: bigint[] = [];
    const budget = options.memoryBudget ?? sw.memoryBudget;
    const openAccount = (): BudgetAccount | undefined =>
      budget?.account({
        onEvict: () => {
          // Everything held is given back: let it go, ask again later, with a new account.
          account = openAccount();
          for (const height of sizes.keys()) received.delete(height);
          deferred.push(...sizes.keys());
          sizes.clear();
        },
      });
    let account = openAccount();
    subscriptions.add(() => account?.close());
    const hold = (height: bigint, r: BlockResponse) => {
      if (height === next || account === undefined) return void received.set(height, r);
      const size = BlockResponse.encode(r).finish().length;
      if (!account.tryReserve(size)) return void deferred.push(height);
      sizes.set(height, size);
      received.set(height, r);
    };
    const open = new Map<string, number>();
    const failedOn = new Map<bigint, Set<string>>();
    const lastError = new Map<bigint, unknown>();
    const waiting: bigint[] = [];
    let next = from;
    let nextNew = from;
    let pumping = false;
    let again = false;

    const eligible = () => [...sw.peers.values()].filter((p) => p.hasChannel(0x40) && choose(p));
    const emitReady = () => {
      const from = next;
      for (let r = received.get(next); r !== undefined; r = received.get(next)) {
        received.delete(next);
        account?.release(sizes.get(next) ?? 0);
        sizes.delete(next);
        next++;
        subscriber.next(r);
      }
      if (next > to) subscriber.complete();
      else if (next > from) waiting.push(...deferred.splice(0)); // room came free: ask again
    };
    const request = (peer: Peer, height: bigint) => {
      open.set(peer.id, (open.get(peer.id) ?? 0) + 1);
      const done = () => open.set(peer.id, (open.get(peer.id) ?? 1) - 1);
      subscriptions.add(
        fetchBlock(sw, peer, height, options).subscribe({
          next: (r) => hold(height, r),
          error: (err: unknown) => {
            done();
            const failed = failedOn.get(height) ?? new Set<string>();
            failedOn.set(height, failed.add(peer.id));
            lastError.set(height, err);
            waiting.push(height);
            pump();
          },
          complete: () => {
            done();
            failedOn.delete(height);
            lastError.delete(height);
            emitReady();
            pump();
          },
        }),
      );
    };
    const pump = () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      do {
        again = false;
        // No new heights while some wait for memory.
        while (deferred.length === 0 && nextNew <= to && nextNew < next + window) waiting.push(nextNew++);
        waiting.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const peers = eligible();
        for (const height of waiting.splice(0)) {
          if (subscriber.closed) return;
          const failed = failedOn.get(height);
          if (peers.length > 0 && failed !== undefined && peers.every((p) => failed.has(p.id))) {
            subscriber.error(lastError.get(height));
            return;
          }
          const free = peers.filter((p) => !(failed?.has(p.id) ?? false) && (open.get(p.id) ?? 0) < maxPending);
          if (free.length === 0) {
            waiting.push(height);
            continue;
          }
          const peer = free.reduce((a, b) => ((open.get(b.id) ?? 0) < (open.get(a.id) ?? 0) ? b : a));
          request(peer, height);
        }
        // `again` is set when a request ended (or a peer came) while the loop ran.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      } while (again && !subscriber.closed);
      pumping = false;
    };
    subscriptions.add(sw.peers$.subscribe(() => pump()));
    if (from > to) subscriber.complete();
    else pump();
    return subscriptions;
  });
}
