/**
 * ensurePeers, CometBFT's loop that keeps a node connected: every `period` (30 s), dial up to
 * `maxOutbound − (outbound + dialing)` addresses picked from the book (bias to new addresses
 * `min(outbound, 8) × 10 + 10` %, three picks per wanted address), and when the book needs more
 * addresses reinstate expired bans, ask a random outbound peer, and — when nothing could be
 * picked — dial the seeds in random order until one connects. The first round runs at once
 * when we have no peer, else after a random part of a period. An answer from a seed starts a
 * round at once (without asking anyone), as in CometBFT; so does, here, any answer that brought
 * new addresses while we have fewer outbound peers than wanted (CometBFT waits for the next
 * period), so that a node walks a chain of peers in seconds rather than periods — unless
 * `dialOnNewAddresses` is false, which keeps CometBFT's timing.
 *
 * ```
 * period 30s, no peers at start:  round at 0 ──── 30s ──── 60s ──── …
 * a seed answered at 12s:         round at 0 ─ 12s ─ 30s ─ 60s ─ …
 * ```
 * @module
 */
import { filter, map, merge, timer, type Observable, type Subscription } from "rxjs";
import { silentLogger, type Logger } from "../logger.js";
import { toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import type { PexDialer } from "./pex-dialer.js";
import type { PexHost, PexReactor } from "./pex-reactor.js";
import { pexParams } from "./params.js";
import type { SchedulerLike } from "rxjs";

/** Options of {@link ensurePeers}. */
export interface EnsurePeersOptions {
  readonly reactor: PexReactor;
  readonly host: PexHost;
  readonly dialer: PexDialer;
  /** Dialed when the book has nothing to offer: `ID@host:port` or parsed. */
  readonly seeds: readonly NetAddressLike[];
  /** Outbound peers wanted (default 10). */
  readonly maxOutbound: number;
  /** Between rounds, ms (default 30 000). */
  readonly period?: number;
  readonly scheduler: SchedulerLike;
  /** Random numbers in [0, 1). */
  readonly random: () => number;
  /**
   * Whether an answer that brought new addresses while short of outbound peers starts a round
   * at once (default true); false: only a seed's answer does, as in CometBFT, and the addresses
   * wait for the next period.
   */
  readonly dialOnNewAddresses?: boolean;
  readonly logger?: Logger;
}

/** One round (see the module doc); `periodElapsed` false for a round started by a seed's answer. */
export function ensurePeersRound(o: EnsurePeersOptions, periodElapsed: boolean): void {
  const { reactor, host, dialer, random } = o;
  const book = reactor.book;
  const log = o.logger ?? silentLogger;
  const outbound = [...host.peers.values()].filter((p) => p.isOutbound);
  const toDialCount = o.maxOutbound - (outbound.length + dialer.dialing.size);
  log.debug({ outbound: outbound.length, dialing: dialer.dialing.size, toDial: toDialCount, book: book.size }, "ensure peers");
  if (toDialCount <= 0) return;
  const bias = Math.min(outbound.length, 8) * 10 + 10;
  const picked = new Map<string, NetAddress>();
  for (let i = 0; i < toDialCount * 3 && picked.size < toDialCount; i++) {
    const a = book.pickAddress(bias);
    if (a === undefined || picked.has(a.id) || host.peers.has(a.id) || dialer.dialing.has(a.id)) continue;
    if (!dialer.allowed(a)) continue;
    picked.set(a.id, a);
  }
  for (const a of picked.values()) void dialer.dial(a);
  if (book.needMoreAddresses) book.reinstateBadPeers();
  if (!book.needMoreAddresses) return;
  if (outbound.length > 0 && periodElapsed) reactor.requestAddrs(outbound[Math.floor(random() * outbound.length)]);
  if (picked.size === 0) void dialSeeds(o);
}

/** Dials the seeds in random order until one connects (or is already connected). */
export async function dialSeeds(o: Pick<EnsurePeersOptions, "seeds" | "random" | "logger"> & { readonly dialer: Pick<PexDialer, "dial"> }): Promise<void> {
  const order = o.seeds.map((s) => toNetAddress(s));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(o.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const seed of order) {
    const outcome = await o.dialer.dial(seed, { persistent: true });
    if (outcome === "connected" || outcome === "busy") return;
  }
  if (order.length > 0) (o.logger ?? silentLogger).warn({ seeds: order.length }, "could not connect to any seed");
}

/**
 * Runs {@link ensurePeersRound} on its schedule until unsubscribed.
 * @returns the subscription; `rounds$`-style tests observe the rounds through `onRound`.
 */
export function ensurePeers(o: EnsurePeersOptions, onRound: (periodElapsed: boolean) => void = (e) => ensurePeersRound(o, e)): Subscription {
  const period = o.period ?? pexParams.ensurePeersPeriod;
  const first = o.host.peers.size > 0 || o.dialer.dialing.size > 0 ? Math.floor(o.random() * period) : 0;
  const seedIds = new Set(o.seeds.map((s) => toNetAddress(s).id));
  const ticks$: Observable<boolean> = timer(first, period, o.scheduler).pipe(map(() => true));
  const outbound = () => [...o.host.peers.values()].filter((p) => p.isOutbound).length;
  const eager = o.dialOnNewAddresses ?? true;
  const answers$ = o.reactor.answered$.pipe(
    filter(({ peer, added }) => seedIds.has(peer.id) || (eager && added > 0 && outbound() < o.maxOutbound)),
    map(() => false),
  );
  return merge(ticks$, answers$).subscribe((elapsed) => onRound(elapsed));
}
