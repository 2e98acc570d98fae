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
 * A round that leaves us short of outbound peers, with no other dial of ours still under way, is
 * followed by a retry round before the period's next one: `retryDelay × 2^k` after it (k:
 * retries since the period's last round, or since a round last connected an address from the
 * book), jittered up to half as much again, and only when that comes before the next period's
 * round (CometBFT waits for the period). A node that cannot get in therefore makes a few
 * rounds every period (at 0, 4, 12 and 28 s of it with the defaults): were the back-off to carry
 * over, thousands of nodes turned away by full seeds would all come back only at their period's
 * tick, together, and find the seeds full again. Short, the round may have connected nothing
 * (every dial failed, nothing could be dialed, or only a seed connected: a seed lets us go once
 * it has answered, and one that is full lets us go at once), or connected fewer than wanted
 * (some dials failed, or the picks from the book found fewer addresses to dial than wanted:
 * those of peers we have, and those backing off after failed dials, are skipped). Thousands of nodes refused together by busy
 * seeds then come back spread over seconds instead of all together a period later.
 *
 * An outbound peer that leaves (not a seed: a seed lets us go once it has answered) while we
 * are short of outbound peers brings a round `retryDelay` after it, jittered the same way, when
 * that comes before the next period's round and no retry or dial of ours is already under way:
 * a node whose peers left refills them within seconds rather than at its next period (CometBFT
 * waits for the period; nodes that started together tick together, and would all be short until
 * the same instant).
 *
 * ```
 * period 30s, no peers at start:   round at 0 ──── 30s ──── 60s ──── …
 * a seed answered at 12s:          round at 0 ─ 12s ─ 30s ─ 60s ─ …
 * retryDelay 4s, rounds that fail: round at 0 ─ 4s ─ 12s ─ 28s ─ 30s ─ 34s ─ 42s ─ 58s ─ 60s ─ …  (no jitter)
 * an outbound peer left at 40s:    round at 0 ──── 30s ─ 44s ─ 60s ─ …  (no jitter)
 * ```
 * @module
 */
import { catchError, defer, EMPTY, filter, map, merge, mergeMap, Subject, Subscription, timer, type Observable, type ObservableInput } from "rxjs";
import { silentLogger, type Logger } from "../logger.js";
import { toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import type { DialOutcome, PexDialer } from "./pex-dialer.js";
import type { PexHost, PexReactor } from "./pex-reactor.js";
import { pexParams } from "./params.js";
import type { SchedulerLike } from "rxjs";

/** First delay of a retry round, ms, when {@link EnsurePeersOptions.retryDelay} is not given. */
export const ENSURE_PEERS_RETRY_DELAY = 4000;

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
  /**
   * After a round that left us short of outbound peers, the first retry comes this long after
   * it, ms (default 4000); each further one twice as long while the rounds connect nothing; each
   * up to half as long again at random; none when the period's next round comes first. At least
   * the period: no retries (CometBFT's behaviour).
   */
  readonly retryDelay?: number;
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

/** What one round of {@link ensurePeersRound} did, once its dials ended. */
export interface EnsurePeersRoundResult {
  /** Dials made, to addresses from the book and to seeds (not those filtered, backing off or already connected). */
  readonly dialed: number;
  /** Dials to addresses from the book that connected (seeds, which let us go once they have answered, are not counted). */
  readonly connected: number;
}

/**
 * Why a round runs: the period's tick, an answer to one of our requests, a retry after a round
 * that left us short of outbound peers, or an outbound peer that left.
 */
export type EnsurePeersRoundReason = "period" | "answer" | "retry" | "left";

/**
 * One round (see the module doc); `periodElapsed` false for a round started by an answer or a
 * retry (such a round never asks a peer, so it cannot break a peer's request rate limit). Its
 * dials start at once; resolves when they have ended, with what they did.
 */
export async function ensurePeersRound(o: EnsurePeersOptions, periodElapsed: boolean): Promise<EnsurePeersRoundResult> {
  const { reactor, host, dialer, random } = o;
  const book = reactor.book;
  const log = o.logger ?? silentLogger;
  const outbound = [...host.peers.values()].filter((p) => p.isOutbound);
  const toDialCount = o.maxOutbound - (outbound.length + dialer.dialing.size);
  log.debug({ outbound: outbound.length, dialing: dialer.dialing.size, toDial: toDialCount, book: book.size }, "ensure peers");
  if (toDialCount <= 0) return { dialed: 0, connected: 0 };
  const bias = Math.min(outbound.length, 8) * 10 + 10;
  const picked = new Map<string, NetAddress>();
  for (let i = 0; i < toDialCount * 3 && picked.size < toDialCount; i++) {
    const a = book.pickAddress(bias);
    if (a === undefined || picked.has(a.id) || host.peers.has(a.id) || dialer.dialing.has(a.id)) continue;
    if (!dialer.allowed(a)) continue;
    picked.set(a.id, a);
  }
  const dials = [...picked.values()].map((a) => dialer.dial(a).catch((): DialOutcome => "failed"));
  let seedOutcomes: DialOutcome[] = [];
  if (book.needMoreAddresses) book.reinstateBadPeers();
  if (book.needMoreAddresses) {
    if (outbound.length > 0 && periodElapsed) reactor.requestAddrs(outbound[Math.floor(random() * outbound.length)]);
    if (picked.size === 0) seedOutcomes = await dialSeeds(o);
  }
  const outcomes = await Promise.all(dials);
  const made = (x: DialOutcome) => x === "connected" || x === "failed";
  return { dialed: outcomes.filter(made).length + seedOutcomes.filter(made).length, connected: outcomes.filter((x) => x === "connected").length };
}

/**
 * Dials the seeds in random order until one connects (or is already connected), each straight
 * through (no backoff, as in CometBFT: see `PexDialer`).
 * @returns the outcome of each dial made, in order.
 */
export async function dialSeeds(o: Pick<EnsurePeersOptions, "seeds" | "random" | "logger"> & { readonly dialer: Pick<PexDialer, "dial"> }): Promise<DialOutcome[]> {
  const order = o.seeds.map((s) => toNetAddress(s));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(o.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const outcomes: DialOutcome[] = [];
  for (const seed of order) {
    const outcome = await o.dialer.dial(seed, { seed: true }).catch((): DialOutcome => "failed");
    outcomes.push(outcome);
    if (outcome === "connected" || outcome === "busy") return outcomes;
  }
  if (order.length > 0) (o.logger ?? silentLogger).warn({ seeds: order.length }, "could not connect to any seed");
  return outcomes;
}

/**
 * Runs {@link ensurePeersRound} on its schedule (see the module doc) until unsubscribed. `onRound`
 * replaces the round (tests watch the schedule through it); what it returns, once, tells whether
 * a retry is due (`undefined`: never).
 * @returns the subscription.
 */
export function ensurePeers(
  o: EnsurePeersOptions,
  onRound: (reason: EnsurePeersRoundReason) => ObservableInput<EnsurePeersRoundResult> | undefined = (reason) => ensurePeersRound(o, reason === "period"),
): Subscription {
  const { scheduler, random, maxOutbound } = o;
  const logger = o.logger ?? silentLogger;
  const period = o.period ?? pexParams.ensurePeersPeriod;
  const retryDelay = o.retryDelay ?? ENSURE_PEERS_RETRY_DELAY;
  const first = o.host.peers.size > 0 || o.dialer.dialing.size > 0 ? Math.floor(random() * period) : 0;
  const firstTickAt = scheduler.now() + first;
  const seedIds = new Set(o.seeds.map((s) => toNetAddress(s).id));
  const outbound = () => [...o.host.peers.values()].filter((p) => p.isOutbound).length;
  const eager = o.dialOnNewAddresses ?? true;
  const ticks$: Observable<EnsurePeersRoundReason> = timer(first, period, scheduler).pipe(map(() => "period"));
  const answers$ = o.reactor.answered$.pipe(
    filter(({ peer, added }) => seedIds.has(peer.id) || (eager && added > 0 && outbound() < maxOutbound)),
    map((): EnsurePeersRoundReason => "answer"),
  );
  const later$ = new Subject<EnsurePeersRoundReason>();
  const loop = new Subscription();
  let retries = 0;
  let pending: Subscription | undefined;
  const untilNextTick = () => {
    const since = scheduler.now() - firstTickAt;
    return since < 0 ? -since : period - (since % period);
  };
  /** A round for `reason` `base` ms from now, jittered up to half again, unless one is pending, a dial of ours is under way, or the period's round comes first. */
  const roundIn = (base: number, reason: EnsurePeersRoundReason): boolean => {
    if (pending !== undefined || o.dialer.dialing.size > 0) return false; // the rounds that dial will decide
    const delay = Math.round(base * (1 + random() / 2));
    if (delay >= untilNextTick()) return false;
    pending = timer(delay, scheduler).subscribe(() => {
      pending = undefined;
      later$.next(reason);
    });
    loop.add(pending);
    return true;
  };
  const settled = ({ connected }: EnsurePeersRoundResult) => {
    if (connected > 0 && o.host.peers.size > 0) retries = 0;
    if (outbound() >= maxOutbound) {
      retries = 0;
      return;
    }
    if (roundIn(Math.min(period, retryDelay * 2 ** retries), "retry")) retries++;
  };
  loop.add(
    o.reactor.left$.pipe(filter((peer) => peer.isOutbound && !seedIds.has(peer.id) && outbound() < maxOutbound)).subscribe(() => {
      roundIn(Math.min(period, retryDelay), "left");
    }),
  );
  loop.add(
    merge(ticks$, answers$, later$)
      .pipe(
        mergeMap((reason) => {
          if (reason === "period") retries = 0;
          return defer(() => onRound(reason) ?? EMPTY).pipe(
            // a round that throws is logged and ends alone: the schedule goes on
            catchError((err: unknown) => {
              logger.error({ err: String(err), reason }, "an ensurePeers round failed");
              return EMPTY;
            }),
          );
        }),
      )
      .subscribe(settled),
  );
  return loop;
}
