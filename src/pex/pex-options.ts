/**
 * The Switch's discovery options (`pex`, `seeds`, `addrBookFile`), their defaults and checks.
 * @module
 */
import { parseNetAddress, type NetAddress } from "../p2p/netaddress.js";
import type { DialFilter } from "./pex-dialer.js";
import { pexParams } from "./params.js";

/** Options of PEX on a Switch (`pex: true` takes every default). */
export interface PexOptions {
  /** Seed mode: answer each inbound peer once and disconnect it; crawl the book (default false). */
  readonly seedMode?: boolean;
  /** Refuse local and unroutable addresses (CometBFT's `addr_book_strict`, default true). */
  readonly strict?: boolean;
  /** Between ensurePeers rounds, ms (default 30 000). A peer may ask once per a third of it. */
  readonly ensurePeersPeriod?: number;
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
  /** Between saves of `addrBookFile`, ms (default 120 000). */
  readonly saveInterval?: number;
}

/** {@link PexOptions} with every default. */
export interface ResolvedPexOptions extends Required<Omit<PexOptions, "dialFilter">> {
  readonly dialFilter: DialFilter | undefined;
  readonly seeds: readonly NetAddress[];
  readonly addrBookFile: string | undefined;
}

/** Defaults of {@link PexOptions}. */
export const pexDefaults = Object.freeze({
  seedMode: false,
  strict: true, // [p2p] addr_book_strict
  ensurePeersPeriod: pexParams.ensurePeersPeriod,
  crawlPeriod: pexParams.crawlPeerPeriod,
  seedDisconnectDelay: 1000, // CometBFT disconnects once the answer is flushed
  seedDisconnectWaitPeriod: 30_000, // [p2p] seed_disconnect_wait_period is 28 h in CometBFT; a seed here moves on sooner
  privatePeerIds: [] as readonly string[],
  maxAddressesPerSource: 500, // no CometBFT equivalent
  saveInterval: pexParams.dumpAddressInterval,
});

/** Checks the discovery options; pushes one sentence per rule broken onto `errors`. */
export function verifyPexOptions(
  errors: string[],
  pex: boolean | PexOptions | undefined,
  seeds: readonly string[] | undefined,
  addrBookFile: string | undefined,
): ResolvedPexOptions | undefined {
  if (pex === undefined || pex === false) {
    if ((seeds?.length ?? 0) > 0 || addrBookFile !== undefined) errors.push("seeds and addrBookFile need pex: true.");
    return undefined;
  }
  const o = { ...pexDefaults, ...(pex === true ? {} : Object.fromEntries(Object.entries(pex).filter(([, v]) => v !== undefined))) } as Required<PexOptions>;
  for (const name of ["ensurePeersPeriod", "crawlPeriod", "seedDisconnectDelay", "seedDisconnectWaitPeriod", "saveInterval"] as const)
    if (!Number.isFinite(o[name]) || o[name] <= 0) errors.push(`pex.${name} must be a positive number of milliseconds, got ${o[name]}.`);
  if (!Number.isSafeInteger(o.maxAddressesPerSource) || o.maxAddressesPerSource < 1) errors.push(`pex.maxAddressesPerSource must be a positive integer, got ${o.maxAddressesPerSource}.`);
  if ((o as PexOptions).dialFilter !== undefined && typeof (o as PexOptions).dialFilter !== "function") errors.push("pex.dialFilter must be a function.");
  const parsed: NetAddress[] = [];
  (seeds ?? []).forEach((s, i) => {
    try {
      parsed.push(parseNetAddress(s));
    } catch (err) {
      errors.push(`seeds[${i}]: ${(err as Error).message}.`);
    }
  });
  if (addrBookFile !== undefined && (typeof addrBookFile !== "string" || addrBookFile === "")) errors.push("addrBookFile must be a non-empty path.");
  return { ...o, dialFilter: (o as PexOptions).dialFilter, seeds: parsed, addrBookFile };
}
