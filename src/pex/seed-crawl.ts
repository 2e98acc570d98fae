/**
 * A seed's crawl (CometBFT's seed mode): at start dial the seeds (or, with none, crawl a
 * selection of the book); then every `crawlPeriod` (30 s) disconnect the non-persistent peers
 * connected for `seedDisconnectWaitPeriod` or longer, and dial a selection of the book — each
 * ip:port at most once per 2 minutes, whatever IDs the book holds at it (CometBFT counts per
 * ID, so many identities claiming one ip:port have a seed dial it again and again) — asking each
 * peer reached for addresses. Crawl records older than a day are dropped.
 * @module
 */
import { timer, type SchedulerLike, type Subscription } from "rxjs";
import { formatNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import { dialSeeds } from "./ensure-peers.js";
import type { PexDialer } from "./pex-dialer.js";
import type { PexHost, PexReactor } from "./pex-reactor.js";
import { pexParams } from "./params.js";

/** Options of {@link seedCrawl}. */
export interface SeedCrawlOptions {
  readonly reactor: PexReactor;
  readonly host: PexHost;
  /** Dials with the book's bookkeeping (a {@link PexDialer}). */
  readonly dialer: Pick<PexDialer, "dial">;
  /** Dialed at start: `ID@host:port` or parsed. */
  readonly seeds: readonly NetAddressLike[];
  /** Between crawls, ms (default 30 000). */
  readonly crawlPeriod?: number;
  /** Peers connected this long are disconnected at the next crawl, ms (default 30 000). */
  readonly seedDisconnectWaitPeriod?: number;
  /** When each connected peer was added (ms on `scheduler`). */
  readonly connectedAt: ReadonlyMap<string, number>;
  readonly scheduler: SchedulerLike;
  /** Random numbers in [0, 1). */
  readonly random: () => number;
}

const DAY = 24 * 3600_000;

/** Starts the crawl; unsubscribe to stop it. */
export function seedCrawl(o: SeedCrawlOptions): Subscription {
  /** When each ip:port was last dialed. */
  const lastCrawled = new Map<string, number>();
  const crawl = (addresses: readonly NetAddress[]) => {
    const now = o.scheduler.now();
    for (const a of addresses) {
      const where = formatNetAddress({ ...a, id: "" });
      const last = lastCrawled.get(where);
      if (last !== undefined && now - last < pexParams.minTimeBetweenCrawls) continue;
      lastCrawled.set(where, now);
      void o.dialer.dial(a).then((outcome) => {
        const peer = o.host.peers.get(a.id);
        if (outcome === "connected" && peer !== undefined) o.reactor.requestAddrs(peer);
      });
    }
  };
  const disconnectOld = () => {
    const now = o.scheduler.now();
    const wait = o.seedDisconnectWaitPeriod ?? 30_000;
    for (const peer of o.host.peers.values()) {
      const since = o.connectedAt.get(peer.id);
      if (peer.isPersistent || since === undefined || now - since < wait) continue;
      void o.host.stopPeerGracefully(peer).catch(() => undefined);
    }
  };
  if (o.seeds.length > 0) void dialSeeds(o);
  else crawl(o.reactor.book.selection());
  const period = o.crawlPeriod ?? pexParams.crawlPeerPeriod;
  return timer(period, period, o.scheduler).subscribe(() => {
    disconnectOld();
    crawl(o.reactor.book.selection());
    const now = o.scheduler.now();
    for (const [where, t] of lastCrawled) if (now - t > DAY) lastCrawled.delete(where);
  });
}
