/**
 * The options of a {@link Pex} (seeds, the address book's file, the reactor's and the dialing
 * loop's settings), their defaults and checks.
 * @module
 */
import type { SchedulerLike } from "rxjs";
import { ConfigError } from "../error-base.js";
import { silentLogger, type Logger } from "../logger.js";
import { parseNetAddress, type NetAddress } from "../p2p/netaddress.js";
import { addressBookDefaults, type AddressBook } from "./address-book.js";
import { ENSURE_PEERS_RETRY_DELAY } from "./ensure-peers.js";
import type { DialFilter } from "./pex-dialer.js";
import { pexParams } from "./params.js";

/** Options of a {@link Pex} (`new Pex()` takes every default). */
export interface PexOptions {
  /** `ID@host:port` of seeds, dialed when the address book has nothing to offer. */
  readonly seeds?: readonly string[];
  /** Where the address book is kept (CometBFT's `addrbook.json`). Default: in memory only. */
  readonly addrBookFile?: string;
  /**
   * An address book to use instead of a new one (not with `addrBookFile`): one kept across a
   * restart in memory, or one built with a chosen key and random source for a reproducible run.
   * Its own options (strictness, scheduler) then apply to it.
   */
  readonly book?: AddressBook;
  /** Timers of the book, the reactor and the dialing loop (default `asyncScheduler`; give the Switch's own under `TestScheduler`). */
  readonly scheduler?: SchedulerLike;
  /** Random numbers in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** Where discovery logs (pino-compatible); silent by default. */
  readonly logger?: Logger;
  /** Seed mode: answer each inbound peer once and disconnect it; crawl the book (default false). */
  readonly seedMode?: boolean;
  /** Refuse local and unroutable addresses (CometBFT's `addr_book_strict`, default true). */
  readonly strict?: boolean;
  /** Between ensurePeers rounds, ms (default 30 000). A peer may ask once per a third of it. */
  readonly ensurePeersPeriod?: number;
  /**
   * An answer that brought new addresses while we have fewer outbound peers than wanted starts
   * an ensurePeers round at once (default true); false keeps CometBFT's timing: only a seed's
   * answer does, and other addresses are dialed at the next period.
   */
  readonly dialOnNewAddresses?: boolean;
  /**
   * After an ensurePeers round that left us short of outbound peers, the first retry round comes
   * this long after it, ms (default 4000), each further one twice as long while rounds connect
   * nothing (up to half as long again at random), while that comes before the period's next
   * round; an outbound peer that leaves brings a round this long after it. At least
   * `ensurePeersPeriod`: no retries, as in CometBFT.
   */
  readonly ensurePeersRetryDelay?: number;
  /** A seed's crawl period, ms (default 30 000). */
  readonly crawlPeriod?: number;
  /** A seed disconnects an inbound peer this long after answering it, ms (default 1000). */
  readonly seedDisconnectDelay?: number;
  /** A seed disconnects peers it dialed after this long, ms (default 30 000). */
  readonly seedDisconnectWaitPeriod?: number;
  /** Only addresses it accepts are ever dialed (e.g. loopback only in tests). A throw refuses. */
  readonly dialFilter?: DialFilter;
  /** IDs never stored nor gossiped (CometBFT's `private_peer_ids`). */
  readonly privatePeerIds?: readonly string[];
  /** Most new addresses kept from one source (default 500). */
  readonly maxAddressesPerSource?: number;
  /**
   * Most of the new table, in percent of its entries, that routable addresses of one network
   * group (IPv4 /16, IPv6 /32) may take, whoever relays them (default 10; 100: no bound).
   */
  readonly maxGroupShare?: number;
  /** New addresses of one group always allowed, however small the table (default 8). */
  readonly groupAllowance?: number;
  /** Between saves of `addrBookFile`, ms (default 120 000). */
  readonly saveInterval?: number;
}

/** {@link PexOptions} with every default. */
export interface ResolvedPexOptions extends Required<Omit<PexOptions, "dialFilter" | "seeds" | "addrBookFile" | "scheduler" | "book">> {
  readonly dialFilter: DialFilter | undefined;
  readonly book: AddressBook | undefined;
  readonly seeds: readonly NetAddress[];
  readonly addrBookFile: string | undefined;
  readonly scheduler: SchedulerLike | undefined;
}

/** Defaults of {@link PexOptions}. */
export const pexDefaults = Object.freeze({
  seedMode: false,
  strict: true, // [p2p] addr_book_strict
  ensurePeersPeriod: pexParams.ensurePeersPeriod,
  dialOnNewAddresses: true, // CometBFT waits for the next period
  ensurePeersRetryDelay: ENSURE_PEERS_RETRY_DELAY, // no CometBFT equivalent: it waits for the period
  crawlPeriod: pexParams.crawlPeerPeriod,
  seedDisconnectDelay: 1000, // CometBFT disconnects once the answer is flushed
  seedDisconnectWaitPeriod: 30_000, // [p2p] seed_disconnect_wait_period is 28 h in CometBFT; a seed here moves on sooner
  privatePeerIds: [] as readonly string[],
  // the address book's limits (maxAddressesPerSource, maxGroupShare, groupAllowance): no CometBFT equivalent
  ...addressBookDefaults,
  saveInterval: pexParams.dumpAddressInterval,
});

/**
 * Checks `options` and fills in the defaults.
 * @throws {ConfigError} naming every rule broken.
 */
export function verifyPexOptions(options: PexOptions = {}): ResolvedPexOptions {
  const errors: string[] = [];
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as PexOptions;
  const o = { ...pexDefaults, random: Math.random, logger: silentLogger, ...defined };
  for (const name of ["ensurePeersPeriod", "ensurePeersRetryDelay", "crawlPeriod", "seedDisconnectDelay", "seedDisconnectWaitPeriod", "saveInterval"] as const)
    if (!Number.isFinite(o[name]) || o[name] <= 0) errors.push(`${name} must be a positive number of milliseconds, got ${o[name]}.`);
  for (const name of ["maxAddressesPerSource", "groupAllowance"] as const)
    if (!Number.isSafeInteger(o[name]) || o[name] < 1) errors.push(`${name} must be a positive integer, got ${o[name]}.`);
  if (typeof o.maxGroupShare !== "number" || !(o.maxGroupShare > 0 && o.maxGroupShare <= 100)) errors.push(`maxGroupShare must be a percentage above 0 and at most 100, got ${o.maxGroupShare}.`);
  if (typeof o.dialOnNewAddresses !== "boolean") errors.push(`dialOnNewAddresses must be true or false, got ${String(o.dialOnNewAddresses)}.`);
  for (const name of ["dialFilter", "random"] as const) if (o[name] !== undefined && typeof o[name] !== "function") errors.push(`${name} must be a function.`);
  const seeds: NetAddress[] = [];
  (o.seeds ?? []).forEach((s, i) => {
    try {
      seeds.push(parseNetAddress(s));
    } catch (err) {
      errors.push(`seeds[${i}]: ${(err as Error).message}.`);
    }
  });
  if (o.addrBookFile !== undefined && (typeof o.addrBookFile !== "string" || o.addrBookFile === "")) errors.push("addrBookFile must be a non-empty path.");
  if (o.book !== undefined && o.addrBookFile !== undefined) errors.push("book and addrBookFile exclude each other: a book given is kept by its owner.");
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return { ...o, dialFilter: o.dialFilter, seeds, addrBookFile: o.addrBookFile, scheduler: o.scheduler, book: o.book };
}
