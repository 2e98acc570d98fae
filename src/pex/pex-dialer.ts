/**
 * Dialing addresses from the book, as CometBFT's PEX reactor does: an address filter consulted
 * first (an address it refuses is never dialed), a backoff per address after failures
 * (`2^attempts` s plus up to 1 s of jitter), a ban instead of the dial that follows 17 failed
 * ones (more than `maxAttemptsToDial`), `markGood` on success, `markAttempt` on failure, and
 * `markBad` when the peer is not who we dialed. A seed is dialed straight through, as CometBFT's
 * `dialSeeds` dials it (`Switch.DialPeerWithAddress`): the filter applies, but no backoff and no
 * count of attempts, so a node refused by busy seeds tries them again at its next round rather
 * than minutes later.
 * @module
 */
import { silentLogger, type Logger } from "../logger.js";
import { PeerRejectedError } from "../p2p/errors.js";
import { formatNetAddress, toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import type { SchedulerLike } from "rxjs";
import type { AddressBook } from "./address-book.js";
import type { PexHost } from "./pex-reactor.js";
import { pexParams } from "./params.js";

/** Decides which addresses may be dialed at all (e.g. loopback only in tests). */
export type DialFilter = (address: NetAddress) => boolean;

/** Why a dial was not made or did not connect. */
export type DialOutcome = "connected" | "filtered" | "backoff" | "max-attempts" | "busy" | "failed";

/** Options of a {@link PexDialer}. */
export interface PexDialerOptions {
  readonly book: AddressBook;
  readonly host: PexHost;
  readonly scheduler: SchedulerLike;
  /** Random numbers in [0, 1). */
  readonly random: () => number;
  readonly filter?: DialFilter;
  readonly logger?: Logger;
}

/** Dials with per-address backoff and keeps the book told (see the module doc). */
export class PexDialer {
  /** IDs being dialed now. */
  readonly dialing = new Set<string>();
  private readonly attempts = new Map<string, { number: number; lastDialed: number }>();
  private readonly logger: Logger;

  constructor(private readonly o: PexDialerOptions) {
    this.logger = o.logger ?? silentLogger;
  }

  /** True when `address` (`ID@host:port` or parsed) passes the filter (a throwing filter refuses). */
  allowed(address: NetAddressLike): boolean {
    if (this.o.filter === undefined) return true;
    try {
      return this.o.filter(toNetAddress(address));
    } catch (err) {
      this.logger.warn({ addr: typeof address === "string" ? address : formatNetAddress(address), err: String(err) }, "the dial filter threw; address refused");
      return false;
    }
  }

  /** Failed dials of `address` (`ID@host:port` or parsed) since its last success. */
  attemptsOf(address: NetAddressLike): number {
    return this.attempts.get(formatNetAddress(toNetAddress(address)))?.number ?? 0;
  }

  /**
   * Dials `address` (`ID@host:port` or parsed) unless filtered, backing off, or given up on;
   * resolves with what happened. With `seed`, only the filter applies (see the module doc).
   * @throws {NetAddressError} (a rejection) when the text does not parse.
   */
  async dial(addressLike: NetAddressLike, options: { seed?: boolean } = {}): Promise<DialOutcome> {
    const address = toNetAddress(addressLike);
    const { book, host, scheduler, random } = this.o;
    const key = formatNetAddress(address);
    if (!this.allowed(address)) {
      this.logger.debug({ addr: key }, "address refused by the dial filter");
      return "filtered";
    }
    if (this.dialing.has(address.id) || host.peers.has(address.id) || address.id === host.nodeId) return "busy";
    const seed = options.seed === true;
    const record = seed ? undefined : this.attempts.get(key);
    const attempts = record?.number ?? 0;
    if (attempts > pexParams.maxAttemptsToDial) {
      book.markBad(address.id, pexParams.defaultBanTime);
      return "max-attempts";
    }
    if (record !== undefined && attempts > 0) {
      const backoff = random() * 1000 + 2 ** attempts * 1000;
      if (scheduler.now() - record.lastDialed < backoff) return "backoff";
    }
    this.dialing.add(address.id);
    try {
      await host.dial(address);
      this.attempts.delete(key);
      book.markGood(address.id);
      return "connected";
    } catch (err) {
      if (err instanceof PeerRejectedError && (err.rule === "duplicate-id" || err.rule === "stopping")) return "busy";
      if (err instanceof PeerRejectedError && err.rule === "dial-id-mismatch") {
        book.markBad(address.id, pexParams.defaultBanTime);
        this.attempts.delete(key);
      } else if (!seed) {
        book.markAttempt(address.id);
        this.attempts.set(key, { number: attempts + 1, lastDialed: scheduler.now() });
      }
      this.logger.debug({ addr: key, attempts: attempts + 1, err: String(err) }, "dial failed");
      return "failed";
    } finally {
      this.dialing.delete(address.id);
    }
  }
}
