/**
 * Persistent peers: dialed at start and redialed after every failure on CometBFT's backoff
 * schedule — where a connection that ends within `minConnectionLifetime` counts as a failed
 * attempt, so a peer that accepts and then drops us is not redialed in a storm.
 * @module
 */
import type { SchedulerLike, Subscription } from "rxjs";
import type { Logger } from "../logger.js";
import type { CloseReason } from "../mconn/close-reason.js";
import { reconnectDelay, type BackoffOptions } from "./backoff.js";
import { PeerRejectedError } from "./errors.js";
import { formatNetAddress, type NetAddress } from "./netaddress.js";

/** Options of {@link PersistentPeers}. */
export interface PersistentPeersOptions {
  /** Dials `addr`; resolves once it is a peer (any thenable: a test may settle it at once). */
  readonly dial: (addr: NetAddress) => PromiseLike<unknown>;
  readonly backoff: BackoffOptions;
  /** A connection shorter than this (ms) is a failed attempt; a longer one resets the backoff. */
  readonly minConnectionLifetime: number;
  readonly random: () => number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Told of every failed attempt (a dial that failed, or a connection that ended too soon). */
  readonly onFailure?: (addr: NetAddress, error: unknown, attempt: number, cause: "dial" | "short-lived") => void;
}

interface Entry {
  readonly addr: NetAddress;
  /** Failed attempts in a row (dials and short connections). */
  failures: number;
  /** When the current connection was made, while connected. */
  connectedAt: number | undefined;
  timer: Subscription | undefined;
  dialing: boolean;
}

/** Summaries of a peer's failures go to `info` at these counts (each one goes to `debug`). */
const SUMMARY_EVERY = 10;

/** The redial loops of a switch's persistent peers. */
export class PersistentPeers {
  private readonly entries = new Map<string, Entry>();
  private running = false;

  constructor(
    addresses: readonly NetAddress[],
    private readonly options: PersistentPeersOptions,
  ) {
    for (const addr of addresses) this.entries.set(addr.id, { addr, failures: 0, connectedAt: undefined, timer: undefined, dialing: false });
  }

  /** The IDs of the persistent peers. */
  get ids(): ReadonlySet<string> {
    return new Set(this.entries.keys());
  }

  /** Dials every persistent peer at once. */
  start(): void {
    this.running = true;
    for (const e of this.entries.values()) this.attempt(e);
  }

  /** Stops every loop. */
  stop(): void {
    this.running = false;
    for (const e of this.entries.values()) {
      e.timer?.unsubscribe();
      e.timer = undefined;
    }
  }

  /** A persistent peer connected (dialed or inbound). */
  connected(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    e.timer?.unsubscribe();
    e.timer = undefined;
    if (e.failures > 0) this.options.logger.info({ peer: id, failures: e.failures }, "persistent peer connected after failed attempts");
    e.connectedAt = this.options.scheduler.now();
  }

  /**
   * A persistent peer's connection ended. Unless we closed it (`closed`), it is redialed: at once
   * after a connection that lived `minConnectionLifetime` (the backoff starts over), else on the
   * backoff schedule, counting the short connection as a failed attempt.
   */
  ended(id: string, reason: CloseReason): void {
    const e = this.entries.get(id);
    if (e === undefined || e.connectedAt === undefined) return;
    const lived = this.options.scheduler.now() - e.connectedAt;
    e.connectedAt = undefined;
    if (!this.running || reason.kind === "closed") return;
    if (lived >= this.options.minConnectionLifetime) {
      e.failures = 0;
      this.attempt(e);
      return;
    }
    const error = reason.kind === "error" ? reason.error : new Error(`${reason.kind} after ${lived} ms`);
    this.failed(e, error, "short-lived", `connection ended after ${lived} ms`);
  }

  private attempt(e: Entry): void {
    e.timer = undefined;
    if (!this.running || e.dialing || e.connectedAt !== undefined) return;
    e.dialing = true;
    this.options.dial(e.addr).then(
      () => {
        e.dialing = false;
      },
      (error: unknown) => {
        e.dialing = false;
        // Connected some other way (an inbound connection), or ourselves: nothing to redial.
        if (error instanceof PeerRejectedError && (error.rule === "duplicate-id" || error.rule === "self")) return;
        this.failed(e, error, "dial", "dial failed");
      },
    );
  }

  private failed(e: Entry, error: unknown, cause: "dial" | "short-lived", what: string): void {
    if (!this.running) return;
    e.failures++;
    const { logger, backoff, random, scheduler } = this.options;
    const id = e.addr.id;
    const err = error instanceof Error ? error.message : String(error);
    this.options.onFailure?.(e.addr, error, e.failures, cause);
    const delay = reconnectDelay(e.failures + 1, random, backoff);
    logger.debug({ peer: id, addr: formatNetAddress(e.addr), attempt: e.failures, err, next: delay }, `persistent peer: ${what}`);
    if (delay === undefined) {
      logger.warn({ peer: id, failures: e.failures, err }, "gave up redialing persistent peer");
      return;
    }
    if (e.failures === 1 || e.failures % SUMMARY_EVERY === 0)
      logger.info({ peer: id, failures: e.failures, lastError: err, nextInMs: delay }, "persistent peer unreachable, redialing with backoff");
    e.timer = scheduler.schedule(() => this.attempt(e), delay);
  }
}
