/**
 * Per-host admission of inbound connections: how many connections one remote IP may hold, how
 * many of them may be in their handshake, and how fast it may open new ones. Decided at accept,
 * from the socket's address alone, before any cryptography.
 * @module
 */
import type { SchedulerLike } from "rxjs";
import { ConfigError } from "../../error-base.js";
import { TokenBucket } from "../../mconn/token-bucket.js";

/** The per-host limits, each applied to one remote IP. */
export interface HostLimits {
  /**
   * More than one inbound connection per IP (CometBFT's `allow_duplicate_ip`, default false).
   * Needed when several peers share an address, e.g. every peer of a test on 127.0.0.1.
   */
  readonly allowDuplicateIp: boolean;
  /** Most inbound connections of one IP in their handshake at once (matters with `allowDuplicateIp`). */
  readonly maxHandshakesPerIp: number;
  /** New inbound connections one IP may open per second, sustained; 0 means unlimited. */
  readonly newConnectionsPerIpPerSecond: number;
  /** New inbound connections one IP may open at once before the rate applies. */
  readonly newConnectionsPerIpBurst: number;
}

/** Defaults: one connection per IP as CometBFT, and a rate an honest peer never reaches. */
export const hostLimitsDefaults: HostLimits = Object.freeze({
  allowDuplicateIp: false, // CometBFT's allow_duplicate_ip = false
  maxHandshakesPerIp: 4, // no CometBFT equivalent (it allows one connection per IP in all)
  newConnectionsPerIpPerSecond: 1, // no CometBFT equivalent: a peer reconnects far less often
  newConnectionsPerIpBurst: 5, // no CometBFT equivalent: a few reconnects in a row pass
});

/**
 * Fills in defaults and checks every rule.
 * @throws {ConfigError} listing every rule broken, one sentence each.
 */
export function verifyHostLimits(limits: Partial<HostLimits> = {}): HostLimits {
  const l: HostLimits = { ...hostLimitsDefaults, ...limits };
  const errors: string[] = [];
  if (typeof l.allowDuplicateIp !== "boolean") errors.push(`allowDuplicateIp must be true or false, got ${String(l.allowDuplicateIp)}.`);
  if (!Number.isSafeInteger(l.maxHandshakesPerIp) || l.maxHandshakesPerIp <= 0)
    errors.push(`maxHandshakesPerIp must be a positive integer, got ${l.maxHandshakesPerIp}.`);
  if (!(l.newConnectionsPerIpPerSecond >= 0) || !Number.isFinite(l.newConnectionsPerIpPerSecond))
    errors.push(`newConnectionsPerIpPerSecond must be 0 (unlimited) or a positive number, got ${l.newConnectionsPerIpPerSecond}.`);
  if (!Number.isSafeInteger(l.newConnectionsPerIpBurst) || l.newConnectionsPerIpBurst <= 0)
    errors.push(`newConnectionsPerIpBurst must be a positive integer, got ${l.newConnectionsPerIpBurst}.`);
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return l;
}

/** Why a host was refused. */
export type HostRefusal = "duplicate-ip" | "host-handshakes" | "host-rate";

/** A connection admitted for a host: tell it when the handshake ends and when the socket closes. */
export interface HostTicket {
  /** The handshake ended (either way); its slot is free. Idempotent. */
  handshakeDone(): void;
  /** The connection closed; it no longer counts for its host. Idempotent (ends the handshake too). */
  readonly release: () => void;
}

interface Host {
  connections: number;
  handshakes: number;
  bucket: TokenBucket | undefined;
}

/**
 * Counts inbound connections per remote IP from accept until they close, and decides whether a
 * new one is admitted. Hosts with nothing open are forgotten once their rate budget is whole
 * again, so the table holds at most the hosts with a connection or a recent burst.
 */
export class HostAdmission {
  private readonly hosts = new Map<string, Host>();
  private pruneAt = 64;
  private prunedAt: number;
  /** How long a spent rate budget takes to be whole again: hosts idle that long can be forgotten. */
  private readonly refillTime: number;

  constructor(
    readonly limits: HostLimits,
    private readonly scheduler: SchedulerLike,
  ) {
    this.prunedAt = scheduler.now();
    const rate = limits.newConnectionsPerIpPerSecond;
    this.refillTime = rate > 0 ? Math.max(1000, (limits.newConnectionsPerIpBurst / rate) * 1000) : 1000;
  }

  /** Hosts currently tracked (for tests and metrics). */
  get trackedHosts(): number {
    return this.hosts.size;
  }

  /** Connections currently counted for `ip`. */
  connections(ip: string): number {
    return this.hosts.get(ip)?.connections ?? 0;
  }

  /** Admits a new inbound connection from `ip`, or says which limit refuses it (nothing is counted then). */
  admit(ip: string): { ticket: HostTicket } | { refused: HostRefusal; message: string } {
    const l = this.limits;
    let host = this.hosts.get(ip);
    if (host !== undefined) {
      if (!l.allowDuplicateIp && host.connections > 0)
        return { refused: "duplicate-ip", message: `${ip} already has a connection (allowDuplicateIp is off)` };
      if (host.handshakes >= l.maxHandshakesPerIp)
        return { refused: "host-handshakes", message: `${ip} already has ${host.handshakes} handshakes in progress` };
    }
    if (l.newConnectionsPerIpPerSecond > 0) {
      if (host === undefined) host = this.add(ip);
      host.bucket ??= new TokenBucket(l.newConnectionsPerIpPerSecond, l.newConnectionsPerIpBurst, this.scheduler);
      if (!host.bucket.take(1)) return { refused: "host-rate", message: `${ip} opens connections faster than ${l.newConnectionsPerIpPerSecond}/s` };
    } else if (host === undefined) host = this.add(ip);
    const counted = host;
    counted.connections++;
    counted.handshakes++;
    let handshaking = true;
    let open = true;
    const handshakeDone = () => {
      if (!handshaking) return;
      handshaking = false;
      counted.handshakes--;
    };
    return {
      ticket: {
        handshakeDone,
        release: () => {
          handshakeDone();
          if (!open) return;
          open = false;
          counted.connections--;
        },
      },
    };
  }

  private add(ip: string): Host {
    // Amortised: a pass over the table when it doubled, or when its entries may have refilled.
    if (this.hosts.size >= this.pruneAt || this.scheduler.now() - this.prunedAt >= this.refillTime) this.prune();
    const host: Host = { connections: 0, handshakes: 0, bucket: undefined };
    this.hosts.set(ip, host);
    return host;
  }

  /** Forgets hosts with no connection whose rate budget is whole (they are as if never seen). */
  private prune(): void {
    for (const [ip, h] of this.hosts) if (h.connections === 0 && (h.bucket === undefined || h.bucket.full)) this.hosts.delete(ip);
    this.pruneAt = Math.max(64, this.hosts.size * 2);
    this.prunedAt = this.scheduler.now();
  }
}
