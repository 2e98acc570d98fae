/**
 * The simulated internet: hosts with IPv4 addresses in /16 groups, a link model, partitions and
 * crashes, and the dial that joins two hosts with a {@link SimLink}. A dial to a host that is
 * unreachable (crashed, absent, on the other side of a cut) or lost (the model's `loss`) times
 * out after the dialer's `dialTimeout`; one to a host with nothing listening on the port, or
 * with `maxConnections` open, is refused after a round trip; otherwise the acceptor sees the
 * connection one latency after the dial and the dialer one round trip after it. Each pair of
 * /16 groups has its own delay: a fixed share of the model's latency picked from the seed, a
 * fifth of it within one group.
 * @module
 */
import { Subject, type Observable } from "rxjs";
import { DialError } from "../../p2p/errors.js";
import { formatNetAddress, type NetAddress } from "../../p2p/netaddress.js";
import { SimLink, type LinkEnd, type LinkModel } from "./sim-link.js";
import type { SimRandom } from "./random.js";
import type { VirtualClock } from "./virtual-clock.js";

/** A simulated machine. */
export interface SimHost {
  /** Its IPv4 address. */
  readonly ip: string;
  /** The index of its /16 group. */
  readonly group: number;
  /** False once crashed (until it is started again). */
  up: boolean;
  /** Accepts connections on `port`, when something listens. */
  listener: { readonly port: number; accept(end: LinkEnd, remoteIp: string, remotePort: number): void } | undefined;
  /** Open connections, inbound and outbound. */
  connections: number;
  /** The links it takes part in. */
  readonly links: Set<SimLink>;
  /** Its side while the network is partitioned. */
  side: number;
  nextPort: number;
}

/** How one connection attempt ended at the transport (before the Switch's own admission). */
export type SimDialOutcome = "connected" | "refused" | "timeout" | "handshake-failed";

/** One connection attempt, as `Simulation.dials$` reports it. */
export interface SimDial {
  /** Virtual ms when the attempt ended. */
  readonly at: number;
  /** The dialing host's IP. */
  readonly from: string;
  /** `ID@ip:port` dialed. */
  readonly to: string;
  readonly outcome: SimDialOutcome;
}

/** The IPv4 address of host `index` within `group`: groups are /16s from 11.0/16 upward (all routable). */
function hostIp(group: number, index: number): string {
  const a = 11 + Math.floor(group / 256);
  const b = group % 256;
  const c = Math.floor(index / 254);
  const d = (index % 254) + 1;
  return `${a}.${b}.${c}.${d}`;
}

/** The listener of `host` while it is up. */
function listening(host: SimHost): SimHost["listener"] {
  return host.up ? host.listener : undefined;
}

/** See the module doc. */
export class SimNetwork {
  private readonly hosts = new Map<string, SimHost>();
  private readonly groupsInUse = new Map<number, number>();
  private partitioned = false;
  private waiting: (() => void)[] = [];
  private readonly dials = new Subject<SimDial>();
  /** Every connection attempt, as it ends. */
  readonly dials$: Observable<SimDial> = this.dials.asObservable();

  constructor(
    readonly clock: VirtualClock,
    readonly model: LinkModel,
    private readonly random: SimRandom,
  ) {}

  /** A new host in `group` (its address the next free one there). */
  addHost(group: number): SimHost {
    const index = this.groupsInUse.get(group) ?? 0;
    this.groupsInUse.set(group, index + 1);
    const host: SimHost = { ip: hostIp(group, index), group, up: true, listener: undefined, connections: 0, links: new Set(), side: 0, nextPort: 40_000 };
    this.hosts.set(host.ip, host);
    return host;
  }

  /** The host at `ip`, if any. */
  host(ip: string): SimHost | undefined {
    return this.hosts.get(ip);
  }

  /** Cuts every path between hosts of different sides (`sideOf` each host). */
  partition(sideOf: (host: SimHost) => number): void {
    for (const h of this.hosts.values()) h.side = sideOf(h);
    this.partitioned = true;
  }

  /** Joins the sides again: what waited at a cut arrives one latency later. */
  heal(): void {
    this.partitioned = false;
    for (const resume of this.waiting.splice(0)) resume();
  }

  /**
   * The host stops dead: its connections fail on its side and go silent on the other. One the
   * far listener has not accepted yet (the ACK never comes) goes with it, as a half-open
   * connection leaves the listener's kernel: no one there would ever close it.
   */
  crash(host: SimHost): void {
    host.up = false;
    for (const link of [...host.links]) {
      link.severed = true;
      this.endOf(link, host).crash();
      if (!link.accepted) link.b.destroy();
    }
  }

  /** Brings a crashed host back (its old connections stay dead). */
  restart(host: SimHost): void {
    host.up = true;
  }

  /** True when the path between `a` and `b` is cut. */
  cut(a: SimHost, b: SimHost): boolean {
    return this.partitioned && a.side !== b.side;
  }

  /** The one-way delay between two hosts (see the module doc). */
  latency(a: SimHost, b: SimHost): number {
    const base = this.model.latency;
    if (a.group === b.group) return Math.max(1, Math.round(base / 5));
    const lo = Math.min(a.group, b.group);
    const hi = Math.max(a.group, b.group);
    let h = Math.imul(lo ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(hi + 0x165667b1, 0x85ebca77) ^ (this.random.seed | 0);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    const share = ((h ^ (h >>> 15)) >>> 0) / 4294967296;
    return Math.max(1, Math.round(base * (0.5 + share)));
  }

  /**
   * Connects `from` to `addr` (see the module doc); resolves with the dialer's end once the
   * connection is up, and hands the other end to the listener.
   * @throws {DialError} when the dial times out or is refused.
   */
  async connect(from: SimHost, addr: NetAddress, dialTimeout: number): Promise<LinkEnd> {
    const to = this.hosts.get(addr.host);
    const where = formatNetAddress(addr);
    const lost = this.model.loss > 0 && this.random.next() < this.model.loss;
    const latency = to === undefined ? this.model.latency : this.latency(from, to);
    if (to === undefined || !to.up || !from.up || this.cut(from, to) || lost || 2 * latency >= dialTimeout) {
      await this.after(dialTimeout);
      this.record(from, where, "timeout");
      throw new DialError(`dialing ${where} timed out after ${dialTimeout} ms`);
    }
    const listener = to.listener;
    if (listener?.port !== addr.port || to.connections >= this.model.maxConnections || from.connections >= this.model.maxConnections) {
      await this.after(2 * latency);
      this.record(from, where, "refused");
      throw new DialError(`dialing ${where} failed: connection refused`);
    }
    const port = from.nextPort;
    from.nextPort = from.nextPort >= 65_535 ? 40_000 : from.nextPort + 1;
    const link = this.link(from, to, `${from.ip}:${port}`, `${to.ip}:${addr.port}`, latency);
    // SYN and SYN-ACK: the dialer's connect returns after a round trip. The listener accepts when
    // the dialer's ACK arrives, a latency later, just ahead of the bytes the dialer sends at once
    // (as a TCP listener's accept returns): a handshake looks silent only while it is.
    await this.after(2 * latency);
    link.a.signal(() => {
      link.accepted = true;
      // the host may have crashed or stopped listening meanwhile
      const acceptor = listening(to);
      if (acceptor === undefined) link.b.destroy();
      else acceptor.accept(link.b, from.ip, port);
    });
    return link.a;
  }

  /** Tells `dials$` how an attempt ended. */
  record(from: SimHost, to: string, outcome: SimDialOutcome): void {
    this.dials.next({ at: this.clock.now(), from: from.ip, to, outcome });
  }

  /** Completes `dials$`. */
  close(): void {
    this.dials.complete();
  }

  private link(from: SimHost, to: SimHost, dialer: string, acceptor: string, latency: number): SimLink {
    from.connections++;
    to.connections++;
    const link: SimLink = new SimLink(
      this.clock,
      this.model,
      this.random,
      {
        cut: () => this.cut(from, to),
        dead: () => link.severed,
        waiting: (resume) => this.waiting.push(resume),
        closed: () => {
          from.connections--;
          to.connections--;
          from.links.delete(link);
          to.links.delete(link);
        },
      },
      { dialer, acceptor },
      latency,
    );
    from.links.add(link);
    to.links.add(link);
    return link;
  }

  private endOf(link: SimLink, host: SimHost): LinkEnd {
    // a is the dialer's end; its remote is the acceptor
    return link.a.remote.startsWith(`${host.ip}:`) ? link.b : link.a;
  }

  private after(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.schedule(() => resolve(), ms));
  }
}
