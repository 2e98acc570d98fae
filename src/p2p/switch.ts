/**
 * The Switch: a composition of the peer layer's parts. Reactors and routing ({@link Router}),
 * the transport ({@link TcpTransport}, its options and output in `switch-transport.ts`),
 * admission and the peers joining and leaving ({@link PeerSet}), persistent
 * peers redialed ({@link PersistentPeers}), dials ({@link OutboundDials}), what it reports
 * ({@link SwitchReports}), and the discovery service. Every call into user code is guarded.
 * @module
 */
import { asyncScheduler, type Observable, type SchedulerLike } from "rxjs";
import { ConfigError, type MConnError } from "../error-base.js";
import { MemoryBudget } from "../mconn/memory-budget.js";
import { broadcast, type BroadcastResult } from "./broadcast.js";
import { discoveryHostOf } from "./discovery.js";
import { PeerRejectedError } from "./errors.js";
import { formatNetAddress, parseNetAddress, type NetAddress } from "./netaddress.js";
import type { NodeInfo } from "./node-info.js";
import { buildNodeInfo, verifyOwnNodeInfo } from "./own-node-info.js";
import type { Peer } from "./peer.js";
import { PeerSet, type PeerEvent } from "./peer-set.js";
import { OutboundDials } from "./outbound-dials.js";
import { PersistentPeers } from "./persistent-peers.js";
import type { Reactor } from "./reactor.js";
import { Router, type SwitchChannel } from "./routing.js";
import { logSwitchEvents } from "./switch-log.js";
import { verifySwitchOptions, type ResolvedSwitchOptions, type SwitchOptions } from "./switch-options.js";
import { SwitchReports, type Rejection } from "./switch-reports.js";
import { acceptInbound, transportOptions } from "./switch-transport.js";
import { TcpTransport, type TransportConnection } from "./transport.js";
import type { Transport } from "./transport-interface.js";

export type { SwitchChannel } from "./routing.js";
export type { BroadcastResult } from "./broadcast.js";
export type { Discovery, DiscoveryHost } from "./discovery.js";
export type { PeerEvent } from "./peer-set.js";
export type { Rejection } from "./switch-reports.js";
export { DecodeError } from "./errors.js";
export { switchDefaults, verifySwitchOptions, type ResolvedSwitchOptions, type SwitchOptions } from "./switch-options.js";

/** Options of {@link Switch.dial}. */
export interface DialOptions {
  /** Cancels the dial: it rejects with `DialAbortedError` and any connection it makes is closed. */
  readonly signal?: AbortSignal;
}

/**
 * Peers and reactors.
 *
 * @example
 * const sw = new Switch({ nodeId, authenticate: secretAuthenticator(key), network: "chat", listen: "127.0.0.1:0" });
 * sw.addReactor("chat", { channels: [{ id: 0x40, priority: 5 }] });
 * sw.channel(0x40).messages$.subscribe(({ peer, message }) => console.log(peer.id, message));
 * await sw.start();
 * await sw.dial("ID@127.0.0.1:26656");
 * const { queued, dropped } = sw.broadcast(0x40, new TextEncoder().encode("hi"));
 */
export class Switch {
  private readonly options: ResolvedSwitchOptions;
  /** What every peer's reassembly and send queues draw from. */
  readonly memoryBudget: MemoryBudget;
  private readonly scheduler: SchedulerLike;
  private readonly router: Router;
  private readonly persistentPeers: PersistentPeers;
  private readonly reports: SwitchReports;
  private readonly peerSet: PeerSet;
  private readonly dials: OutboundDials;
  private transport: Transport | undefined;
  private ourInfo: NodeInfo | undefined;
  private state: "new" | "running" | "stopped" = "new";
  private boundAddress: { host: string; port: number } | undefined;

  /** Peers joining and leaving. Subscribers are guarded: a throw stops only the peer of the event. */
  readonly peers$: Observable<PeerEvent>;
  /**
   * Inbound connections refused (a failed handshake, a NodeInfo rule, a filter or a limit) and
   * failed redials of persistent peers, each with its typed error. (A refused `dial()` rejects
   * instead.) Subscribers are guarded. Completes on `stop()`.
   */
  readonly rejected$: Observable<Rejection>;
  /**
   * Failures of user code that the switch caught: throwing subscribers (`SubscriberError`),
   * filters (`FilterError`), reactor hooks in `removePeer` (`ReactorError`), failed `sendFrom`
   * sources. Each is logged at `warn` too. Completes on `stop()`.
   */
  readonly errors$: Observable<MConnError>;

  /** @throws {ConfigError} naming every option that breaks a rule. */
  constructor(options: SwitchOptions) {
    const o = (this.options = verifySwitchOptions(options));
    this.memoryBudget = new MemoryBudget(o.maxReceiveBuffer);
    const scheduler = (this.scheduler = o.scheduler ?? asyncScheduler);
    const reports = (this.reports = new SwitchReports(o.logger));
    this.rejected$ = reports.rejected$;
    this.errors$ = reports.errors$;
    this.router = new Router((stream, err, peer) => reports.subscriberThrew(stream, err, peer));
    if (o.discovery !== undefined) this.router.add(o.discovery.name, o.discovery.reactor);
    this.persistentPeers = new PersistentPeers(o.persistent, {
      dial: (addr) => this.dial(addr),
      backoff: o.backoff,
      minConnectionLifetime: o.minConnectionLifetime,
      random: o.random,
      scheduler,
      logger: o.logger,
      onFailure: (addr, error, _attempt, cause) => {
        if (cause === "dial") reports.reject({ socketAddr: formatNetAddress({ ...addr, id: "" }), error, direction: "outbound" });
      },
    });
    this.peerSet = new PeerSet({ router: this.router, config: o.mconnection, scheduler, memoryBudget: this.memoryBudget, flushSchedulers: o.flushSchedulers, persistentPeers: this.persistentPeers, reports });
    this.peers$ = this.peerSet.peers$;
    this.dials = new OutboundDials(o.nodeId, () => this.peerSet.peers);
  }

  /** Our node ID. */
  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Our NodeInfo (available once started). */
  get nodeInfo(): NodeInfo | undefined {
    return this.ourInfo;
  }

  /** The address we listen on, `{ host, port }`, once started with `listen`. */
  get listenAddress(): { host: string; port: number } | undefined {
    return this.boundAddress;
  }

  /** `ID@host:port` to dial us at (our node ID included), once listening. */
  get address(): string | undefined {
    const b = this.boundAddress;
    return b === undefined ? undefined : formatNetAddress({ id: this.nodeId, host: b.host, port: b.port });
  }

  /** The connected peers by ID. */
  get peers(): ReadonlyMap<string, Peer> {
    return this.peerSet.peers;
  }

  /**
   * Registers a reactor and its channels. Only before `start()`.
   * @throws {ConfigError} naming every rule broken: the name, the hooks, each channel descriptor
   * (id 0–255, priority, capacities, codec), channels owned twice, a running switch.
   */
  addReactor(name: string, reactor: Reactor): void {
    if (this.state !== "new") throw new ConfigError(`reactor ${name} added after the switch started`);
    this.router.add(name, reactor);
  }

  /**
   * The channel `id`: its messages from every peer (decoded when the channel has a codec).
   * @throws {ConfigError} when no reactor declared it.
   */
  channel<T = Uint8Array>(id: number): SwitchChannel<T> {
    return this.router.channel(id) as SwitchChannel<T>;
  }

  /**
   * Checks our NodeInfo (the rules remotes are held to), listens (if configured) and dials the
   * persistent peers.
   * @throws {ConfigError} when started twice, with no channel, or when our NodeInfo breaks a rule.
   */
  async start(): Promise<void> {
    if (this.state !== "new") throw new ConfigError("the switch was already started");
    const channels = this.router.descriptors.map((d) => d.id);
    if (channels.length === 0) throw new ConfigError("no reactor declares a channel");
    const o = this.options;
    const info = (listenAddr: string) => verifyOwnNodeInfo(buildNodeInfo(o, channels, listenAddr));
    this.ourInfo = info(o.externalAddress ?? (o.listenAt ? `${o.listenAt.host}:${o.listenAt.port}` : "0.0.0.0:0"));
    this.state = "running";
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- set just above, before the transport that reads it exists
    const transport = (o.transport ?? ((t) => new TcpTransport(t)))(transportOptions(o, this.scheduler, () => this.ourInfo!, (e) => this.reports.report(e)));
    this.transport = transport;
    logSwitchEvents(o.logger, this.reports.refusals, this.peerSet.changes, o.refusalSummaryInterval, this.scheduler);
    acceptInbound(transport, (conn) => this.admit(conn, { outbound: false }), (failure) => this.reports.reject({ ...failure, direction: "inbound" }));
    if (o.listenAt !== undefined) {
      this.boundAddress = await transport.listen(o.listenAt.host, o.listenAt.port);
      if (o.externalAddress === undefined) this.ourInfo = info(`${this.boundAddress.host}:${this.boundAddress.port}`);
    }
    this.persistentPeers.start();
    o.discovery?.start(discoveryHostOf(this, o.maxOutboundPeers, o.persistent));
  }

  /**
   * Dials `address` (`ID@host:port`) and adds the peer. `signal` cancels it.
   * @throws {PeerRejectedError} when not running, ourselves, already connected or dialing;
   * `DialAbortedError` when cancelled; otherwise the dial's, the handshake's or
   * admission's error.
   */
  async dial(address: string | NetAddress, options: DialOptions = {}): Promise<Peer> {
    const addr = typeof address === "string" ? parseNetAddress(address) : address;
    const transport = this.transport;
    if (this.state !== "running" || transport === undefined) throw new PeerRejectedError("stopping", "the switch is not running");
    return this.dials.dial(addr, options.signal, () => transport.dial(addr), (conn) => this.admit(conn, { outbound: true, dialedAddr: formatNetAddress(addr) }));
  }

  /**
   * Offers `message` on `channelId` to every peer at once, each with `trySend`: a peer whose
   * queue has no room drops it (counted in its channel's `dropped`, on `status$` and in the
   * metrics) and no peer waits for another — a peer that stops reading costs the others
   * nothing, and is ended by `writeStallTimeout`. To wait for room, use `peer.send` or
   * `peer.sendFrom` per peer.
   * @throws {ConfigError} if no reactor declared `channelId`.
   */
  broadcast(channelId: number, message: Uint8Array): BroadcastResult {
    this.channel(channelId);
    return broadcast(this.peerSet.peers.values(), channelId, message);
  }

  /** Disconnects `peer` with `error` as the reason (a persistent peer is then redialed). */
  stopPeerForError(peer: Peer, error: MConnError): void {
    peer.connection.abort(error);
  }

  /** Disconnects `peer` cleanly, flushing what is queued; it is not redialed. */
  async stopPeerGracefully(peer: Peer): Promise<void> {
    await peer.connection.close();
  }

  /** Closes every peer (flushing), stops redialing, and releases the port. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.persistentPeers.stop();
    this.options.discovery?.stop();
    await Promise.all([...this.peerSet.peers.values()].map((p) => p.connection.close()));
    await this.transport?.close();
    this.router.complete();
    this.peerSet.complete();
    this.reports.complete();
  }

  /** Makes `conn` a peer if admission accepts it (see {@link PeerSet.admit}); otherwise closes it and throws the refusal. */
  private admit(conn: TransportConnection, how: { outbound: boolean; dialedAddr?: string }): Peer {
    const o = this.options;
    const { maxInboundPeers, maxOutboundPeers } = o;
    return this.peerSet.admit(conn, how, { running: this.state === "running", maxInboundPeers, maxOutboundPeers, persistent: this.persistentPeers.ids, ...(o.filterPeer ? { filterPeer: o.filterPeer } : {}) });
  }
}
