/**
 * One simulated node: the real `Switch` with the real `Pex` (address book, PEX reactor,
 * ensurePeers or a seed's crawl) and the user's reactors, over a {@link SimTransport} on its
 * host, authenticated by the stand-in handshake, every timer on the simulation's clock and every
 * random choice from the node's own seeded generator. A node keeps its key, host and address
 * book across leave/crash and join, as a restarted process keeps its node key and
 * `addrbook.json`.
 * @module
 */
import type { Subscription } from "rxjs";
import type { Peer } from "../../p2p/peer.js";
import { Switch } from "../../p2p/switch.js";
import { AddressBook } from "../../pex/address-book.js";
import { Pex } from "../../pex/pex-service.js";
import type { ResolvedNetworkSpec, SimNodeInfo } from "./network-spec.js";
import type { SimRandom } from "./random.js";
import type { SimHost, SimNetwork } from "./sim-network.js";
import { SimTransport } from "./sim-transport.js";
import { standInAuthenticator, type KeyRing, type SimKey } from "./stand-in-auth.js";

/** The port every simulated node listens on. */
export const SIM_PORT = 26656;

/** What a node reports to the simulation as it runs. */
interface NodeObserver {
  peerAdded(node: SimNode, peer: Peer): void;
  peerRemoved(node: SimNode, peer: Peer): void;
  message(channelId: number): void;
}

/** See the module doc. */
export class SimNode implements SimNodeInfo {
  readonly id: string;
  readonly ip: string;
  readonly book: AddressBook;
  state: "idle" | "running" | "left" | "crashed" = "idle";
  startedAt: number | null = null;
  reachedTargetAt: number | null = null;
  private sw: Switch | undefined;
  private starts = 0;
  private subscriptions: Subscription[] = [];

  constructor(
    readonly index: number,
    readonly seedMode: boolean,
    readonly key: SimKey,
    readonly host: SimHost,
    private readonly random: SimRandom,
    private readonly context: {
      readonly spec: ResolvedNetworkSpec;
      readonly network: SimNetwork;
      readonly ring: KeyRing;
      readonly addressOf: (index: number) => string;
      readonly observer: NodeObserver;
      /** The attacker's IDs, and the honest nodes' (which an attacker never stores nor passes on). */
      readonly attackerIds: ReadonlySet<string>;
      readonly honestIds: readonly string[];
    },
  ) {
    this.id = key.id;
    this.ip = host.ip;
    const bookRandom = random.fork(1);
    this.book = new AddressBook({
      strict: true,
      scheduler: context.network.clock,
      random: bookRandom.fn,
      key: Buffer.from(bookRandom.bytes(12)).toString("hex"),
      hashKey: bookRandom.bytes(32),
      ...(context.spec.pex.maxAddressesPerSource === undefined ? {} : { maxAddressesPerSource: context.spec.pex.maxAddressesPerSource }),
      ...(context.spec.pex.maxGroupShare === undefined ? {} : { maxGroupShare: context.spec.pex.maxGroupShare }),
      ...(context.spec.pex.groupAllowance === undefined ? {} : { groupAllowance: context.spec.pex.groupAllowance }),
      // the attacker's identities all know each other, in their one /16
      ...(context.spec.nodes[index].attacker ? { maxGroupShare: 100 } : {}),
    });
  }

  /** The running Switch, if any. */
  get switch(): Switch | undefined {
    return this.state === "running" ? this.sw : undefined;
  }

  /** Starts the node (again): a new Switch and Pex on the same key, host and book. */
  async start(): Promise<void> {
    if (this.state === "running") return;
    const { spec, network, ring, addressOf, observer, attackerIds, honestIds } = this.context;
    const attacker = spec.nodes[this.index].attacker;
    const seedIds = new Set(spec.seedsOf[this.index].map((i) => addressOf(i).split("@")[0]));
    const clock = network.clock;
    if (!this.host.up) network.restart(this.host);
    const run = this.random.fork(2, this.starts++);
    const pex = new Pex({
      ...spec.pex,
      book: this.book,
      seeds: spec.seedsOf[this.index].map(addressOf),
      seedMode: this.seedMode,
      scheduler: clock,
      random: run.fork(1).fn,
      // an attacker dials only its own identities, and the seeds to announce itself
      ...(attacker ? { dialFilter: (a: { id: string }) => attackerIds.has(a.id) || seedIds.has(a.id), privatePeerIds: honestIds } : {}),
    });
    const sw = new Switch({
      ...spec.switch,
      nodeId: this.id,
      moniker: `node-${this.index}`,
      authenticate: standInAuthenticator(this.key, ring, run.fork(2)),
      network: "simulation",
      listen: `${this.ip}:${SIM_PORT}`,
      persistentPeers: spec.nodes[this.index].persistentPeers.map(addressOf),
      discovery: pex,
      scheduler: clock,
      random: run.fork(3).fn,
      transport: (options) => new SimTransport(network, this.host, options),
      flushSchedulers: { flush: clock, yield: clock },
    });
    const reactors = attacker ? {} : (spec.reactors?.(this) ?? {});
    for (const [name, reactor] of Object.entries(reactors)) sw.addReactor(name, reactor);
    this.sw = sw;
    this.state = "running";
    this.startedAt = clock.now();
    this.reachedTargetAt = null;
    this.subscriptions = [
      sw.peers$.subscribe((e) => (e.type === "added" ? observer.peerAdded(this, e.peer) : observer.peerRemoved(this, e.peer))),
      ...[0, ...Object.values(reactors).flatMap((r) => r.channels.map((c) => c.id))].map((id) => sw.channel(id).messages$.subscribe(() => observer.message(id))),
    ];
    await sw.start();
  }

  /** Stops the node cleanly: its peers are closed, its host stops listening. */
  async leave(): Promise<void> {
    const sw = this.detach("left");
    await sw?.stop();
  }

  /** The node's host crashes: its connections go silent on the far side; the Switch is stopped. */
  async crash(): Promise<void> {
    const sw = this.detach("crashed");
    if (sw === undefined) return;
    this.context.network.crash(this.host);
    await sw.stop();
  }

  private detach(state: "left" | "crashed"): Switch | undefined {
    if (this.state !== "running") return undefined;
    this.state = state;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    return this.sw;
  }
}
