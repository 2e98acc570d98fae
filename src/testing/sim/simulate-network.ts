/**
 * `simulateNetwork`: a network of real Switches in one process, in virtual time (see
 * `docs/simulation.md`).
 * @module
 */
import { Subject, type Observable, type SchedulerAction, type SchedulerLike } from "rxjs";
import type { Peer } from "../../p2p/peer.js";
import { formatNetAddress } from "../../p2p/netaddress.js";
import { switchDefaults } from "../../p2p/switch-options.js";
import type { Switch } from "../../p2p/switch.js";
import { components, durations, spread, type NetworkSample, type SimulationReport } from "./network-sample.js";
import { verifyNetworkSpec, type NetworkSpec, type ResolvedNetworkSpec, type SimEvent } from "./network-spec.js";
import { SimRandom } from "./random.js";
import { SimNetwork, type SimDialOutcome, type SimDial } from "./sim-network.js";
import { SimNode, SIM_PORT } from "./sim-node.js";
import { KeyRing } from "./stand-in-auth.js";
import { VirtualClock } from "./virtual-clock.js";

/** A peer added or removed at one node, as `Simulation.peers$` reports it. */
export interface SimPeerEvent {
  /** Virtual ms. */
  readonly at: number;
  readonly type: "added" | "removed";
  /** The node's index. */
  readonly node: number;
  /** The peer's node index (-1 for an ID the simulation does not know). */
  readonly peer: number;
  /** Whether the node dialed the peer. */
  readonly outbound: boolean;
}

/** A node of a running simulation, for a user's code (to send from it, say). */
export interface SimulatedNode {
  readonly index: number;
  readonly id: string;
  readonly ip: string;
  /** `idle` (not started yet), `running`, `left` or `crashed`. */
  readonly state: "idle" | "running" | "left" | "crashed";
  /** Its Switch while running. */
  readonly switch: Switch | undefined;
}

/** A simulation built by {@link simulateNetwork}: subscribe to what you want to watch, then `run()`. */
export interface Simulation {
  /** The virtual clock every node runs on: schedule your own actions on it (e.g. a message to send at minute 3). */
  readonly scheduler: SchedulerLike;
  /** The nodes, by index. */
  readonly nodes: readonly SimulatedNode[];
  /** A sample every `sampleInterval` and at the end; completes when the run ends. */
  readonly samples$: Observable<NetworkSample>;
  /** Every peer added or removed, at any node; completes when the run ends. */
  readonly peers$: Observable<SimPeerEvent>;
  /** Every connection attempt, as it ends; completes when the run ends. */
  readonly dials$: Observable<SimDial>;
  /**
   * Runs the network for the spec's `duration` of virtual time and resolves with the report.
   * Once only. Rejects with what a scheduled action threw (a bug of the simulated code, or of
   * the user's reactors or subscribers), ending the run there.
   */
  run(): Promise<SimulationReport>;
}

class NetworkSimulation implements Simulation {
  readonly scheduler: VirtualClock = new VirtualClock();
  readonly nodes: SimNode[];
  private readonly spec: ResolvedNetworkSpec;
  private readonly network: SimNetwork;
  private readonly byId = new Map<string, number>();
  private readonly sampleSubject = new Subject<NetworkSample>();
  private readonly peerSubject = new Subject<SimPeerEvent>();
  private readonly samples: NetworkSample[] = [];
  private readonly dialCounts: Record<SimDialOutcome, number> = { connected: 0, refused: 0, timeout: 0, "handshake-failed": 0 };
  private readonly messages = new Map<number, number>();
  private readonly applied: { event: string; at: number }[] = [];
  private readonly failures: unknown[] = [];
  private readonly outboundTarget: number;
  private readonly attackers: readonly SimNode[];
  private added = 0;
  private removed = 0;
  private ran = false;
  readonly samples$: Observable<NetworkSample> = this.sampleSubject.asObservable();
  readonly peers$: Observable<SimPeerEvent> = this.peerSubject.asObservable();
  readonly dials$: Observable<SimDial>;

  constructor(spec: NetworkSpec) {
    this.spec = verifyNetworkSpec(spec);
    const root = new SimRandom(this.spec.seed);
    this.network = new SimNetwork(this.scheduler, this.spec.link, root.fork(0));
    this.dials$ = this.network.dials$;
    this.network.dials$.subscribe((d) => this.dialCounts[d.outcome]++);
    this.outboundTarget = this.spec.switch.maxOutboundPeers ?? switchDefaults.maxOutboundPeers;
    const ring = new KeyRing();
    const observer = {
      peerAdded: (node: SimNode, peer: Peer) => this.peerEvent("added", node, peer),
      peerRemoved: (node: SimNode, peer: Peer) => this.peerEvent("removed", node, peer),
      message: (channelId: number) => this.messages.set(channelId, (this.messages.get(channelId) ?? 0) + 1),
    };
    const addressOf = (i: number) => formatNetAddress({ id: this.nodes[i].id, host: this.nodes[i].ip, port: SIM_PORT });
    const keys = this.spec.nodes.map((_, i) => ring.create(root.fork(1, i).fork(0)));
    const attackerIds = new Set(keys.filter((_, i) => this.spec.nodes[i].attacker).map((k) => k.id));
    const honestIds = keys.filter((k) => !attackerIds.has(k.id)).map((k) => k.id);
    const context = { spec: this.spec, network: this.network, ring, addressOf, observer, attackerIds, honestIds };
    this.nodes = this.spec.nodes.map((n, i) => {
      const node = new SimNode(i, n.seedMode, keys[i], this.network.addHost(n.group), root.fork(1, i), context);
      this.byId.set(node.id, i);
      return node;
    });
    this.attackers = this.nodes.filter((n) => attackerIds.has(n.id));
    // the attacker's identities know each other from the start
    for (const a of this.attackers) for (const b of this.attackers) if (a !== b) a.book.add(addressOf(b.index), addressOf(a.index));
  }

  async run(): Promise<SimulationReport> {
    if (this.ran) throw new Error("a simulation runs once");
    this.ran = true;
    const clock = this.scheduler;
    const { spec } = this;
    spec.nodes.forEach((n, i) => {
      if (n.joinAt !== null) clock.schedule(() => this.start(i), n.joinAt);
    });
    for (const e of spec.events) clock.schedule(() => this.apply(e), e.at);
    const sample = () => this.sample();
    clock.schedule(function (this: SchedulerAction<undefined>) {
      sample();
      this.schedule(undefined, spec.sampleInterval);
    }, spec.sampleInterval);
    try {
      await clock.runUntil(spec.duration);
      if (this.failures.length > 0) throw this.failures[0];
      if (this.samples.at(-1)?.at !== clock.now()) this.sample();
      return this.report();
    } finally {
      this.sampleSubject.complete();
      this.peerSubject.complete();
      this.network.close();
    }
  }

  private start(i: number): void {
    this.nodes[i].start().catch((err: unknown) => this.failures.push(err));
  }

  private apply(e: SimEvent): void {
    const label = e.type === "partition" ? `partition${e.sides === undefined ? "" : `:${e.sides}`}` : e.type === "heal" ? "heal" : `${e.type}:${e.nodes.join(",")}`;
    this.applied.push({ event: label, at: this.scheduler.now() });
    if (e.type === "heal") this.network.heal();
    else if (e.type === "partition") {
      const sides = e.sides ?? 2;
      const sideOf = e.sideOf ?? ((i: number) => i % sides);
      const ipToIndex = new Map(this.nodes.map((n) => [n.ip, n.index]));
      this.network.partition((h) => sideOf(ipToIndex.get(h.ip) ?? -1));
    } else
      for (const i of e.nodes) {
        const node = this.nodes[i];
        const step = e.type === "join" ? node.start() : e.type === "leave" ? node.leave() : node.crash();
        step.catch((err: unknown) => this.failures.push(err));
      }
  }

  private peerEvent(type: "added" | "removed", node: SimNode, peer: Peer): void {
    if (type === "added") this.added++;
    else this.removed++;
    const sw = node.switch;
    if (type === "added" && peer.isOutbound && !node.seedMode && node.reachedTargetAt === null && sw !== undefined) {
      let outbound = 0;
      for (const p of sw.peers.values()) if (p.isOutbound) outbound++;
      if (outbound >= this.outboundTarget) node.reachedTargetAt = this.scheduler.now();
    }
    if (this.peerSubject.observed)
      this.peerSubject.next({ at: this.scheduler.now(), type, node: node.index, peer: this.byId.get(peer.id) ?? -1, outbound: peer.isOutbound });
  }

  private sample(): void {
    const up: SimNode[] = this.nodes.filter((n) => n.state === "running");
    const peers: number[] = [];
    const outbound: number[] = [];
    const books: number[] = [];
    const edges: [number, number][] = [];
    let atTarget = 0;
    let below = 0;
    const attackerIds = new Set(this.attackers.map((a) => a.id));
    const bookShares: number[] = [];
    const peerShares: number[] = [];
    let eclipsed = 0;
    for (const n of up) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- running nodes have a switch
      const sw = n.switch!;
      const honest = !attackerIds.has(n.id);
      let out = 0;
      for (const p of sw.peers.values()) {
        if (p.isOutbound) out++;
        const j = this.byId.get(p.id);
        if (j !== undefined && j > n.index && this.nodes[j].state === "running") edges.push([n.index, j]);
        else if (j !== undefined && j < n.index && this.nodes[j].switch?.peers.has(n.id) !== true && this.nodes[j].state === "running") edges.push([n.index, j]);
      }
      if (!honest) continue;
      peers.push(sw.peers.size);
      books.push(n.book.size);
      if (!n.seedMode) {
        outbound.push(out);
        if (out >= this.outboundTarget) atTarget++;
        else below++;
      }
      if (attackerIds.size > 0) {
        const share = attackShares(sw, n, attackerIds);
        bookShares.push(share.book);
        peerShares.push(share.peers);
        if (share.eclipsed && !n.seedMode) eclipsed++;
      }
    }
    const graph = components(this.nodes.length, (i) => this.nodes[i].state === "running", edges);
    const lasting = (i: number) => this.nodes[i].state === "running" && !this.nodes[i].seedMode;
    const withoutSeeds = components(this.nodes.length, lasting, edges.filter(([a, b]) => lasting(a) && lasting(b)));
    const s: NetworkSample = {
      at: this.scheduler.now(),
      up: up.length,
      components: graph.count,
      largestComponent: graph.largest,
      componentsWithoutSeeds: withoutSeeds.count,
      connections: edges.length,
      peers: spread(peers),
      outbound: spread(outbound),
      atOutboundTarget: atTarget,
      belowOutboundTarget: below,
      book: spread(books),
      dials: { ...this.dialCounts },
      ...(attackerIds.size === 0 ? {} : { attack: { bookShare: spread(bookShares), peerShare: spread(peerShares), eclipsed } }),
      messages: Object.fromEntries([...this.messages].sort(([a], [b]) => a - b).map(([id, count]) => [String(id), count])),
    };
    this.samples.push(s);
    this.sampleSubject.next(s);
  }

  private report(): SimulationReport {
    const samples = this.samples;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- run() takes a last sample
    const final = samples.at(-1)!;
    const firstFrom = (at: number, ok: (s: NetworkSample) => boolean) => samples.find((s) => s.at >= at && ok(s))?.at ?? null;
    const honest = this.nodes.filter((n) => !this.attackers.includes(n));
    const nonSeeds = honest.filter((n) => !n.seedMode);
    const times = nonSeeds.flatMap((n) => (n.reachedTargetAt !== null && n.startedAt !== null ? [n.reachedTargetAt - n.startedAt] : []));
    return {
      seed: this.spec.seed,
      nodes: honest.length,
      seeds: honest.length - nonSeeds.length,
      attackers: this.attackers.length,
      duration: this.spec.duration,
      link: { ...this.spec.link },
      outboundTarget: this.outboundTarget,
      samples,
      final,
      timeToTarget: durations(times),
      allAtTargetAt: firstFrom(0, (s) => s.up > 0 && s.belowOutboundTarget === 0),
      oneComponentAt: firstFrom(0, (s) => s.up > 0 && s.components === 1),
      oneComponentAfter: this.applied.map(({ event, at }) => ({ event, at, oneComponentAt: firstFrom(at, (s) => s.components === 1) })),
      peerEvents: { added: this.added, removed: this.removed },
      perNode: this.nodes.map((n) => {
        const sw = n.switch;
        let out = 0;
        for (const p of sw?.peers.values() ?? []) if (p.isOutbound) out++;
        const peers = sw?.peers.size ?? 0;
        return {
          index: n.index,
          id: n.id,
          ip: n.ip,
          seedMode: n.seedMode,
          attacker: this.attackers.includes(n),
          state: n.state,
          peers,
          outbound: out,
          inbound: peers - out,
          book: n.book.size,
          startedAt: n.startedAt,
          timeToTarget: n.reachedTargetAt === null || n.startedAt === null ? null : n.reachedTargetAt - n.startedAt,
        };
      }),
      work: { actions: this.scheduler.actionsRun, instants: this.scheduler.instants },
    };
  }
}

/** Percent of attacker addresses in `node`'s book and of attacker peers among its peers; eclipsed when every outbound peer is the attacker's. */
function attackShares(sw: Switch, node: SimNode, attackerIds: ReadonlySet<string>): { book: number; peers: number; eclipsed: boolean } {
  let inBook = 0;
  for (const e of node.book.entries()) if (attackerIds.has(e.addr.id)) inBook++;
  let attackerPeers = 0;
  let outbound = 0;
  let attackerOutbound = 0;
  for (const p of sw.peers.values()) {
    const bad = attackerIds.has(p.id);
    if (bad) attackerPeers++;
    if (p.isOutbound) {
      outbound++;
      if (bad) attackerOutbound++;
    }
  }
  const percent = (x: number, of: number) => (of === 0 ? 0 : Math.round((1000 * x) / of) / 10);
  return { book: percent(inBook, node.book.size), peers: percent(attackerPeers, sw.peers.size), eclipsed: outbound > 0 && attackerOutbound === outbound };
}

/**
 * Builds a network of real Switches in one process (see {@link NetworkSpec}): each node runs
 * the Switch with its admission, the PEX reactor with CometBFT's address book, ensurePeers or a
 * seed's crawl, persistent peers and the user's reactors, over simulated links (latency, jitter,
 * bandwidth, lost dials, a connection limit per host) between hosts with IPv4 addresses in /16
 * groups, authenticated by a cheap stand-in for SecretConnection. Every timer runs on one
 * virtual clock and every random choice comes from the seed: the same spec gives the same run,
 * event for event, and the same report, byte for byte.
 *
 * @example
 * const sim = simulateNetwork({ seed: 1, nodes: 200, seeds: 3, duration: 10 * 60_000 });
 * sim.samples$.subscribe((s) => console.log(s.at, s.components, s.atOutboundTarget));
 * const report = await sim.run();
 * console.log(report.timeToTarget.p90, report.final.largestComponent);
 * @throws {ConfigError} naming every rule the spec breaks.
 */
export function simulateNetwork(spec: NetworkSpec): Simulation {
  return new NetworkSimulation(spec);
}
