/**
 * The Switch: holds peers, admits connections (see {@link admission}), routes each channel's
 * messages to the reactor that owns it and to `channel(id).messages$` (see {@link Router}), and
 * redials persistent peers (see {@link PersistentPeers}). Every call into user code is guarded.
 * @module
 */
import { asyncScheduler, Subject, type Observable, type SchedulerLike } from "rxjs";
import { ConfigError, namePeer, type MConnError } from "../error-base.js";
import type { CloseReason } from "../mconn/close-reason.js";
import { MemoryBudget } from "../mconn/memory-budget.js";
import { MConnection } from "../mconn/mconnection.js";
import type { ChannelMessage } from "../mconn/reassemble.js";
import { admission } from "./admission.js";
import { broadcast, type BroadcastResult } from "./broadcast.js";
import { cancellable } from "./cancellable.js";
import type { DiscoveryHost } from "./discovery.js";
import { guardAuthenticate, guardFilterAddress } from "./user-hooks.js";
import { DialAbortedError, FilterError, PeerRejectedError, SubscriberError, type GuardedStream } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import { formatNetAddress, parseNetAddress, type NetAddress } from "./netaddress.js";
import type { NodeInfo } from "./node-info.js";
import { buildNodeInfo, verifyOwnNodeInfo } from "./own-node-info.js";
import { Peer } from "./peer.js";
import { PersistentPeers } from "./persistent-peers.js";
import type { Reactor } from "./reactor.js";
import { Router, type SwitchChannel } from "./routing.js";
import { logSwitchEvents } from "./switch-log.js";
import { verifySwitchOptions, type ResolvedSwitchOptions, type SwitchOptions } from "./switch-options.js";
import { TcpTransport, type InboundFailure, type TransportConnection } from "./transport.js";
import type { Transport } from "./transport-interface.js";

export type { SwitchChannel } from "./routing.js";
export type { BroadcastResult } from "./broadcast.js";
export type { Discovery, DiscoveryHost } from "./discovery.js";
export { DecodeError } from "./errors.js";
export { switchDefaults, verifySwitchOptions, type ResolvedSwitchOptions, type SwitchOptions } from "./switch-options.js";

/** A peer joined or left. `removed` follows `added`, and only peers that were added are removed. */
export type PeerEvent =
  | { readonly type: "added"; readonly peer: Peer }
  | { readonly type: "removed"; readonly peer: Peer; readonly reason: CloseReason };

/** A connection refused (inbound), or a persistent peer's dial that failed (outbound). */
export interface Rejection extends InboundFailure {
  readonly direction: "inbound" | "outbound";
}

/** Options of {@link Switch.dial}. */
export interface DialOptions {
  /** Cancels the dial: it rejects with `DialAbortedError` and any connection it makes is closed. */
  readonly signal?: AbortSignal;
}

interface PeerEntry {
  readonly peer: Peer;
  /** `added` was emitted. */
  announced: boolean;
  /** Messages that arrived before `added` (only while the peer is being started). */
  readonly early: ChannelMessage[];
  /** Reactors whose `addPeer` ran: they get `removePeer`. */
  readonly reactors: Set<string>;
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
  private readonly peerMap = new Map<string, Peer>();
  private readonly dialing = new Set<string>();
  private readonly events = new Subject<PeerEvent>();
  private readonly rejections = new Subject<Rejection>();
  private readonly failures = new Subject<MConnError>();
  private emitting: PeerEvent | undefined;
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
    this.options = verifySwitchOptions(options);
    this.memoryBudget = new MemoryBudget(this.options.maxReceiveBuffer);
    this.scheduler = this.options.scheduler ?? asyncScheduler;
    this.router = new Router((stream, err, peer) => this.subscriberThrew(stream, err, peer));
    this.peers$ = new GuardedObservable<PeerEvent>(
      (s) => this.events.subscribe(s),
      (err, e) => this.subscriberThrew("peers$", err, e?.peer),
      () => this.emitting,
    );
    this.rejected$ = GuardedObservable.from(this.rejections, (err) => this.subscriberThrew("rejected$", err, undefined));
    this.errors$ = GuardedObservable.from(this.failures, (err) => this.options.logger.error({ err: String(err) }, "a subscriber of errors$ threw"));
    const o = this.options;
    if (o.discovery !== undefined) this.router.add(o.discovery.name, o.discovery.reactor);
    this.persistentPeers = new PersistentPeers(o.persistent, {
      dial: (addr) => this.dial(addr),
      backoff: o.backoff,
      minConnectionLifetime: o.minConnectionLifetime,
      random: o.random,
      scheduler: this.scheduler,
      logger: o.logger,
      onFailure: (addr, error, _attempt, cause) => {
        if (cause === "dial") this.rejections.next({ socketAddr: formatNetAddress({ ...addr, id: "" }), error, direction: "outbound" });
      },
    });
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
    return this.peerMap;
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
    const current = (): NodeInfo => this.ourInfo!;
    const transport = (o.transport ?? ((t) => new TcpTransport(t)))({
      authenticate: guardAuthenticate(o.authenticate, o.secretHandshakeTimeout, this.scheduler),
      // read at each handshake: the listen address is known only once bound
      get ourInfo() {
        return current();
      },
      handshakeTimeout: o.handshakeTimeout,
      dialTimeout: o.dialTimeout,
      maxPendingHandshakes: o.maxPendingHandshakes,
      hostLimits: o.hostLimits,
      ...(o.filterAddress === undefined ? {} : { filterAddress: guardFilterAddress(o.filterAddress, (e) => this.report(e)) }),
      scheduler: this.scheduler,
    });
    this.transport = transport;
    logSwitchEvents(o.logger, this.rejections, this.events, o.refusalSummaryInterval, this.scheduler);
    transport.failures$.subscribe(({ socketAddr, error }) => this.rejections.next({ socketAddr, error, direction: "inbound" }));
    transport.inbound$.subscribe((conn) => {
      try {
        this.admit(conn, { outbound: false });
      } catch (error) {
        this.rejections.next({ socketAddr: conn.socketAddr, error, direction: "inbound" });
      }
    });
    if (o.listenAt !== undefined) {
      this.boundAddress = await transport.listen(o.listenAt.host, o.listenAt.port);
      if (o.externalAddress === undefined) this.ourInfo = info(`${this.boundAddress.host}:${this.boundAddress.port}`);
    }
    this.persistentPeers.start();
    o.discovery?.start(this.discoveryHost());
  }

  /**
   * Dials `address` (`ID@host:port`) and adds the peer. `signal` cancels it.
   * @throws {PeerRejectedError} when already connected or dialing; {@link DialAbortedError} when
   * cancelled; otherwise the dial's or handshake's error.
   */
  async dial(address: string | NetAddress, options: DialOptions = {}): Promise<Peer> {
    const addr = typeof address === "string" ? parseNetAddress(address) : address;
    const transport = this.transport;
    const { signal } = options;
    if (this.state !== "running" || transport === undefined) throw new PeerRejectedError("stopping", "the switch is not running");
    if (addr.id === this.nodeId) throw new PeerRejectedError("self", "refusing to dial ourselves");
    if (this.peerMap.has(addr.id) || this.dialing.has(addr.id))
      throw new PeerRejectedError("duplicate-id", `already connected to or dialing ${addr.id}`);
    const aborted = () => new DialAbortedError({ id: addr.id, address: formatNetAddress({ ...addr, id: "" }) }, signal?.reason);
    if (signal?.aborted === true) throw aborted();
    this.dialing.add(addr.id);
    try {
      const conn = await cancellable(transport.dial(addr), signal, aborted, (late) => late.duplex.destroy());
      return this.admit(conn, { outbound: true, dialedAddr: formatNetAddress(addr) });
    } finally {
      this.dialing.delete(addr.id);
    }
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
    return broadcast(this.peerMap.values(), channelId, message);
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
    await Promise.all([...this.peerMap.values()].map((p) => p.connection.close()));
    await this.transport?.close();
    this.router.complete();
    this.events.complete();
    this.rejections.complete();
    this.failures.complete();
  }

  /** The Switch as its discovery service sees it. */
  private discoveryHost(): DiscoveryHost {
    const sw = this as Switch;
    return {
      nodeId: sw.nodeId,
      get address() {
        return sw.address;
      },
      get peers() {
        return sw.peers;
      },
      maxOutboundPeers: sw.options.maxOutboundPeers,
      dial: (address) => sw.dial(address),
      stopPeerForError: (peer, error) => sw.stopPeerForError(peer, error),
      stopPeerGracefully: (peer) => sw.stopPeerGracefully(peer),
    };
  }

  /** Logs a failure of user code and tells `errors$`. */
  private report(error: MConnError): void {
    this.options.logger.warn({ reason: error.reason, err: error.message }, "user code failed");
    if (!this.failures.closed) this.failures.next(error);
  }

  private subscriberThrew(stream: GuardedStream, cause: unknown, peer: Peer | undefined): void {
    const error = new SubscriberError(stream, peer?.ref, cause);
    this.report(error);
    peer?.connection.abort(error);
  }

  private emit(event: PeerEvent): void {
    const previous = this.emitting;
    this.emitting = event;
    try {
      this.events.next(event);
    } finally {
      this.emitting = previous;
    }
  }

  /**
   * Makes `conn` a peer: admission, `initPeer`, start, `addPeer`, `added`, then the messages
   * that arrived meanwhile — so no message is delivered before its peer is announced.
   */
  private admit(conn: TransportConnection, how: { outbound: boolean; dialedAddr?: string }): Peer {
    const o = this.options;
    const decision = admission(
      this.peerMap.values(),
      { running: this.state === "running", maxInboundPeers: o.maxInboundPeers, maxOutboundPeers: o.maxOutboundPeers, persistent: this.persistentPeers.ids, ...(o.filterPeer ? { filterPeer: o.filterPeer } : {}) },
      { remoteId: conn.remoteId, nodeInfo: conn.nodeInfo, outbound: how.outbound, socketAddr: conn.socketAddr },
    );
    if (!decision.accepted) {
      conn.duplex.destroy();
      if (decision.error instanceof FilterError) this.report(decision.error);
      throw namePeer(decision.error, { id: conn.remoteId, address: conn.socketAddr });
    }
    const connection = new MConnection(conn.duplex, { channels: this.router.descriptors, config: o.mconnection, scheduler: this.scheduler, memoryBudget: this.memoryBudget, peer: { id: conn.remoteId, address: conn.socketAddr }, ...(o.flushSchedulers === undefined ? {} : { flushScheduler: o.flushSchedulers.flush, yieldScheduler: o.flushSchedulers.yield }) });
    const peer = new Peer(connection, {
      id: conn.remoteId,
      isOutbound: how.outbound,
      isPersistent: decision.persistent,
      nodeInfo: conn.nodeInfo,
      socketAddr: conn.socketAddr,
      ...(how.dialedAddr === undefined ? {} : { dialedAddr: how.dialedAddr }),
    });
    peer.errors$.subscribe((e) => this.report(e));
    const init = this.router.callHook("initPeer", peer);
    if (init.error !== undefined) {
      connection.abort(init.error);
      throw init.error;
    }
    const entry: PeerEntry = { peer, announced: false, early: [], reactors: new Set() };
    connection.messages$.subscribe((m) => (entry.announced ? this.router.route(peer, m.channelId, m.message) : entry.early.push(m)));
    connection.ended$.subscribe((reason) => this.remove(entry, reason));
    this.peerMap.set(peer.id, peer);
    connection.start();
    if (connection.isRunning) {
      const added = this.router.callHook("addPeer", peer);
      for (const name of added.called) entry.reactors.add(name);
      if (added.error !== undefined) connection.abort(added.error);
    }
    if (!connection.isRunning) {
      const reason = connection.closeReason;
      throw reason?.kind === "error" ? reason.error : new PeerRejectedError("stopping", `${peer.id} ended (${reason?.kind ?? "unknown"}) before it was added`);
    }
    entry.announced = true;
    if (peer.isPersistent) this.persistentPeers.connected(peer.id);
    this.emit({ type: "added", peer });
    for (const m of entry.early.splice(0)) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a subscriber of `added` may have ended the peer
      if (!connection.isRunning) break;
      this.router.route(peer, m.channelId, m.message);
    }
    return peer;
  }

  private remove(entry: PeerEntry, reason: CloseReason): void {
    const { peer } = entry;
    if (this.peerMap.get(peer.id) === peer) this.peerMap.delete(peer.id);
    for (const error of this.router.removePeer(peer, reason, entry.reactors)) this.report(error);
    if (!entry.announced) return;
    this.emit({ type: "removed", peer, reason });
    if (peer.isPersistent) this.persistentPeers.ended(peer.id, reason);
  }
}
