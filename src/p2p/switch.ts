/**
 * The Switch: holds peers, routes each channel's messages to the reactor that owns it and to
 * `channel(id).messages$`, and redials persistent peers.
 * @module
 */
import { asyncScheduler, defer, from, Observable, Subject, tap, type SchedulerLike, type Subscription } from "rxjs";
import { ConfigError, MConnError, ProtocolError } from "../errors.js";
import type { CloseReason } from "../mconn/close-reason.js";
import { MConnection } from "../mconn/mconnection.js";
import type { MConnectionConfig } from "../mconn/config.js";
import { backoffDefaults, retryWithBackoff, type BackoffOptions } from "./backoff.js";
import { countByKey } from "./count-by-key.js";
import { PeerRejectedError } from "./errors.js";
import { DEFAULT_MAX_RECEIVE_BUFFER, MemoryBudget } from "../mconn/memory-budget.js";
import { verifyHostLimits, type HostLimits } from "./host-admission.js";
import { formatNetAddress, parseHostPort, parseNetAddress, type NetAddress } from "./netaddress.js";
import { BLOCK_PROTOCOL, P2P_PROTOCOL, type NodeInfo } from "./node-info.js";
import { Peer } from "./peer.js";
import type { Envelope, Reactor, SwitchChannelDescriptor } from "./reactor.js";
import { TcpTransport, type InboundFailure, type TransportConnection } from "./transport.js";
import type { Authenticate } from "./upgrade.js";
import { silentLogger, type Logger } from "../logger.js";

/** A peer joined or left. */
export type PeerEvent =
  | { readonly type: "added"; readonly peer: Peer }
  | { readonly type: "removed"; readonly peer: Peer; readonly reason: CloseReason };

/** A message that could not be decoded with its channel's codec. */
export class DecodeError extends ProtocolError {
  constructor(channelId: number, cause: unknown) {
    super("decode", `message on channel ${channelId} does not decode: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A reactor method threw while handling a peer; the peer is stopped with this error. */
export class ReactorError extends MConnError {
  constructor(reactor: string, method: string, cause: unknown) {
    super("reactor", `reactor ${reactor} failed in ${method}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Options of a {@link Switch}. Durations in ms. */
export interface SwitchOptions {
  /** Our node ID (from our node key). */
  readonly nodeId: string;
  /** The secret handshake for our node key (see `secretAuthenticator`). */
  readonly authenticate: Authenticate;
  /** The network (chain id) we belong to; peers must be on it. */
  readonly network: string;
  readonly moniker?: string;
  readonly version?: string;
  /** `host:port` to listen on (`127.0.0.1:0` picks a free port); absent: dial only. */
  readonly listen?: string;
  /** The address we advertise in NodeInfo; default: the bound listen address. */
  readonly externalAddress?: string;
  /** `ID@host:port` addresses dialed at start and redialed after every failure. */
  readonly persistentPeers?: readonly string[];
  /** Most inbound peers (CometBFT: 40). */
  readonly maxInboundPeers?: number;
  /** Most outbound peers (CometBFT: 10). Persistent peers are dialed regardless. */
  readonly maxOutboundPeers?: number;
  /** Refuses sockets by remote address before the handshake. */
  readonly filterAddress?: (host: string, port: number) => boolean;
  /** Refuses peers by ID and NodeInfo after the handshake. */
  readonly filterPeer?: (id: string, info: NodeInfo) => boolean;
  /**
   * Bytes every peer together may make us hold in messages being reassembled (default 256 MiB);
   * a peer that would take more than its share (this divided among the peers holding something)
   * ends with a `MemoryBudgetError`. Each channel's `recvMessageCapacity` still applies.
   */
  readonly maxReceiveBuffer?: number;
  /** Each peer's MConnection settings. */
  readonly mconnection?: Partial<MConnectionConfig>;
  /** Bound on each handshake stage (CometBFT: 3 s). */
  readonly handshakeTimeout?: number;
  /** Bound on a TCP dial (CometBFT: 1 s). */
  readonly dialTimeout?: number;
  /** Most inbound handshakes in progress at once (default 64). */
  readonly maxPendingHandshakes?: number;
  /**
   * More than one inbound connection per remote IP (CometBFT's `allow_duplicate_ip`; default
   * false). Set it to run several nodes on one address, e.g. 127.0.0.1 in tests and demos.
   */
  readonly allowDuplicateIp?: boolean;
  /** Most inbound handshakes in progress per remote IP (default 4). */
  readonly maxHandshakesPerIp?: number;
  /** New inbound connections per second one remote IP may open, sustained (default 1; 0: unlimited). */
  readonly newConnectionsPerIpPerSecond?: number;
  /** New inbound connections one remote IP may open in a burst (default 5). */
  readonly newConnectionsPerIpBurst?: number;
  /** Reconnection schedule for persistent peers (CometBFT's by default). */
  readonly backoff?: BackoffOptions;
  /** Random numbers in [0, 1) for the backoff jitter. */
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
  /** At most one `info` line summarising refused connections per this many ms (default 5000); each refusal is at `debug`. */
  readonly refusalSummaryInterval?: number;
  /** Where peer events, refusals and redials are logged (pino-compatible); silent by default. */
  readonly logger?: Logger;
}

/** One channel of the switch, as users see it. */
export interface SwitchChannel<T = Uint8Array> {
  readonly descriptor: SwitchChannelDescriptor;
  /** Messages from every peer on this channel. Completes when the switch stops. */
  readonly messages$: Observable<Envelope<T>>;
}

interface Owner {
  readonly name: string;
  readonly reactor: Reactor;
  readonly descriptor: SwitchChannelDescriptor;
  readonly subject: Subject<Envelope<unknown>>;
  readonly handle: SwitchChannel<unknown>;
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
 * await sw.broadcast(0x40, new TextEncoder().encode("hi"));
 */
export class Switch {
  private readonly options: SwitchOptions;
  private readonly hostLimits: HostLimits;
  /** What every peer's reassembly draws from. */
  readonly memoryBudget: MemoryBudget;
  private readonly scheduler: SchedulerLike;
  private readonly reactors = new Map<string, Reactor>();
  private readonly owners = new Map<number, Owner>();
  private readonly peerMap = new Map<string, Peer>();
  private readonly dialing = new Set<string>();
  private readonly reconnecting = new Map<string, Subscription>();
  private readonly events = new Subject<PeerEvent>();
  private readonly rejections = new Subject<InboundFailure>();
  private readonly persistent = new Set<string>();
  private transport: TcpTransport | undefined;
  private ourInfo: NodeInfo | undefined;
  private state: "new" | "running" | "stopped" = "new";
  private boundAddress: { host: string; port: number } | undefined;

  /** Peers joining and leaving. */
  readonly peers$: Observable<PeerEvent> = this.events.asObservable();
  /**
   * Inbound connections refused: a failed handshake, a NodeInfo rule, a filter or a limit, each
   * with its typed error. (A refused dial rejects `dial()` instead.) Completes on `stop()`.
   */
  readonly rejected$: Observable<InboundFailure> = this.rejections.asObservable();

  constructor(options: SwitchOptions) {
    this.options = options;
    this.memoryBudget = new MemoryBudget(options.maxReceiveBuffer ?? DEFAULT_MAX_RECEIVE_BUFFER);
    this.hostLimits = verifyHostLimits({
      ...(options.allowDuplicateIp === undefined ? {} : { allowDuplicateIp: options.allowDuplicateIp }),
      ...(options.maxHandshakesPerIp === undefined ? {} : { maxHandshakesPerIp: options.maxHandshakesPerIp }),
      ...(options.newConnectionsPerIpPerSecond === undefined ? {} : { newConnectionsPerIpPerSecond: options.newConnectionsPerIpPerSecond }),
      ...(options.newConnectionsPerIpBurst === undefined ? {} : { newConnectionsPerIpBurst: options.newConnectionsPerIpBurst }),
    });
    this.scheduler = options.scheduler ?? asyncScheduler;
    for (const p of options.persistentPeers ?? []) {
      const addr = parseNetAddress(p);
      this.persistent.add(addr.id);
    }
  }

  /** Our node ID. */
  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Our NodeInfo (available once started). */
  get nodeInfo(): NodeInfo | undefined {
    return this.ourInfo;
  }

  /** The address we listen on, once started with `listen`. */
  get listenAddress(): { host: string; port: number } | undefined {
    return this.boundAddress;
  }

  /** `ID@host:port` to dial us at, once listening. */
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
   * @throws {ConfigError} when a channel is already owned, the name is taken, or the switch runs.
   */
  addReactor(name: string, reactor: Reactor): void {
    if (this.state !== "new") throw new ConfigError(`reactor ${name} added after the switch started`);
    if (this.reactors.has(name)) throw new ConfigError(`a reactor named ${name} is already registered`);
    for (const d of reactor.channels) {
      const owner = this.owners.get(d.id);
      if (owner !== undefined) throw new ConfigError(`channel ${d.id} of reactor ${name} is already owned by reactor ${owner.name}`);
    }
    this.reactors.set(name, reactor);
    for (const d of reactor.channels) {
      const subject = new Subject<Envelope<unknown>>();
      this.owners.set(d.id, { name, reactor, descriptor: d, subject, handle: { descriptor: d, messages$: subject.asObservable() } });
    }
  }

  /**
   * The channel `id`: its messages from every peer (decoded when the channel has a codec).
   * @throws {RangeError} when no reactor declared it.
   */
  channel<T = Uint8Array>(id: number): SwitchChannel<T> {
    const owner = this.owners.get(id);
    if (owner === undefined) throw new RangeError(`no reactor declares channel ${id}`);
    return owner.handle as SwitchChannel<T>;
  }

  /** Listens (if configured) and dials the persistent peers. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new ConfigError("the switch was already started");
    if (this.owners.size === 0) throw new ConfigError("no reactor declares a channel");
    this.state = "running";
    const o = this.options;
    const listen = o.listen === undefined ? undefined : parseHostPort(o.listen);
    const info = (listenAddr: string): NodeInfo => ({
      protocolVersion: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: 0 },
      nodeId: o.nodeId,
      listenAddr,
      network: o.network,
      version: o.version ?? "rx-mconn",
      channels: Uint8Array.from(this.owners.keys()),
      moniker: o.moniker ?? `rx-mconn-${o.nodeId.slice(0, 8)}`,
      other: { txIndex: "off", rpcAddress: "" },
    });
    this.ourInfo = info(o.externalAddress ?? (listen ? `${listen.host}:${listen.port}` : "0.0.0.0:0"));
    const current = (): NodeInfo => this.ourInfo!;
    const transport = new TcpTransport({
      authenticate: o.authenticate,
      // read at each handshake: the listen address is known only once bound
      get ourInfo() {
        return current();
      },
      handshakeTimeout: o.handshakeTimeout ?? 3000,
      dialTimeout: o.dialTimeout ?? 1000,
      maxPendingHandshakes: o.maxPendingHandshakes ?? 64,
      hostLimits: this.hostLimits,
      ...(o.filterAddress === undefined ? {} : { filterAddress: o.filterAddress }),
      scheduler: this.scheduler,
    });
    this.transport = transport;
    const log = o.logger ?? silentLogger;
    // Each refusal at debug; at info, a count by reason at most every refusalSummaryInterval, so
    // that a flood of refused sockets costs one line per interval, not one per socket.
    const reasonOf = (error: unknown) => (error instanceof MConnError ? error.reason : "error");
    this.rejections.subscribe(({ socketAddr, error }) => log.debug({ addr: socketAddr, reason: reasonOf(error), err: String(error) }, "inbound connection refused"));
    this.rejections
      .pipe(countByKey(({ error }) => reasonOf(error), o.refusalSummaryInterval ?? 5000, this.scheduler))
      .subscribe(({ total, counts }) => log.info({ refused: total, reasons: counts }, "inbound connections refused"));
    this.events.subscribe((e) => {
      if (e.type === "added") log.info({ peer: e.peer.id, addr: e.peer.socketAddr, outbound: e.peer.isOutbound }, "peer added");
      else log.info({ peer: e.peer.id, reason: e.reason.kind, err: e.reason.kind === "error" ? e.reason.error.message : undefined }, "peer removed");
    });
    transport.failures$.subscribe((failure) => this.rejections.next(failure));
    transport.inbound$.subscribe((conn) => {
      try {
        this.admit(conn, { outbound: false });
      } catch (error) {
        this.rejections.next({ socketAddr: conn.socketAddr, error });
      }
    });
    if (listen !== undefined) {
      this.boundAddress = await transport.listen(listen.host, listen.port);
      if (o.externalAddress === undefined) this.ourInfo = info(`${this.boundAddress.host}:${this.boundAddress.port}`);
    }
    for (const p of o.persistentPeers ?? []) this.reconnect(parseNetAddress(p));
  }

  /**
   * Dials `address` (`ID@host:port`) and adds the peer.
   * @throws {PeerRejectedError} when already connected or dialing; the dial's or handshake's error.
   */
  async dial(address: string | NetAddress): Promise<Peer> {
    const addr = typeof address === "string" ? parseNetAddress(address) : address;
    const transport = this.transport;
    if (this.state !== "running" || transport === undefined) throw new PeerRejectedError("stopping", "the switch is not running");
    if (addr.id === this.nodeId) throw new PeerRejectedError("self", "refusing to dial ourselves");
    if (this.peerMap.has(addr.id) || this.dialing.has(addr.id))
      throw new PeerRejectedError("duplicate-id", `already connected to or dialing ${addr.id}`);
    this.dialing.add(addr.id);
    try {
      const conn = await transport.dial(addr);
      return this.admit(conn, { outbound: true, dialedAddr: formatNetAddress(addr) });
    } finally {
      this.dialing.delete(addr.id);
    }
  }

  /** Queues `message` for every peer that has the channel, waiting for room; resolves with how many took it. */
  async broadcast(channelId: number, message: Uint8Array): Promise<number> {
    const results = await Promise.all([...this.peerMap.values()].map((p) => p.send(channelId, message)));
    return results.filter(Boolean).length;
  }

  /** Queues `message` for every peer with room now; returns how many took it. */
  tryBroadcast(channelId: number, message: Uint8Array): number {
    let n = 0;
    for (const p of this.peerMap.values()) if (p.trySend(channelId, message)) n++;
    return n;
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
    for (const s of this.reconnecting.values()) s.unsubscribe();
    this.reconnecting.clear();
    await Promise.all([...this.peerMap.values()].map((p) => p.connection.close()));
    await this.transport?.close();
    for (const o of this.owners.values()) o.subject.complete();
    this.events.complete();
    this.rejections.complete();
  }

  private admit(conn: TransportConnection, how: { outbound: boolean; dialedAddr?: string }): Peer {
    const o = this.options;
    const reject = (error: PeerRejectedError): never => {
      conn.duplex.destroy();
      throw error;
    };
    if (this.state !== "running") reject(new PeerRejectedError("stopping", "the switch is stopping"));
    if (this.peerMap.has(conn.remoteId)) reject(new PeerRejectedError("duplicate-id", `already connected to ${conn.remoteId}`));
    const persistent = this.persistent.has(conn.remoteId);
    if (!how.outbound && !persistent) {
      const inbound = [...this.peerMap.values()].filter((p) => !p.isOutbound).length;
      if (inbound >= (o.maxInboundPeers ?? 40)) reject(new PeerRejectedError("max-inbound", `already ${inbound} inbound peers`));
    }
    if (how.outbound && !persistent) {
      const outbound = [...this.peerMap.values()].filter((p) => p.isOutbound).length;
      if (outbound >= (o.maxOutboundPeers ?? 10)) reject(new PeerRejectedError("max-outbound", `already ${outbound} outbound peers`));
    }
    if (o.filterPeer !== undefined && !o.filterPeer(conn.remoteId, conn.nodeInfo))
      reject(new PeerRejectedError("filter", `peer ${conn.remoteId} refused by the filter`));

    const connection = new MConnection(conn.duplex, {
      channels: [...this.owners.values()].map((w) => w.descriptor),
      ...(o.mconnection === undefined ? {} : { config: o.mconnection }),
      scheduler: this.scheduler,
      memoryBudget: this.memoryBudget,
    });
    const peer = new Peer(connection, {
      id: conn.remoteId,
      isOutbound: how.outbound,
      isPersistent: persistent,
      nodeInfo: conn.nodeInfo,
      socketAddr: conn.socketAddr,
      ...(how.dialedAddr === undefined ? {} : { dialedAddr: how.dialedAddr }),
    });
    for (const [name, reactor] of this.reactors) {
      try {
        reactor.initPeer?.(peer);
      } catch (err) {
        connection.abort(new ReactorError(name, "initPeer", err));
        throw err;
      }
    }
    connection.messages$.subscribe(({ channelId, message }) => this.route(peer, channelId, message));
    connection.ended$.subscribe((reason) => this.remove(peer, reason));
    this.peerMap.set(peer.id, peer);
    connection.start();
    for (const [name, reactor] of this.reactors) {
      if (!connection.isRunning) break;
      try {
        reactor.addPeer?.(peer);
      } catch (err) {
        connection.abort(new ReactorError(name, "addPeer", err));
      }
    }
    if (connection.isRunning) this.events.next({ type: "added", peer });
    return peer;
  }

  private route(peer: Peer, channelId: number, bytes: Uint8Array): void {
    const owner = this.owners.get(channelId)!;
    let message: unknown = bytes;
    if (owner.descriptor.codec !== undefined) {
      try {
        message = owner.descriptor.codec.decode(bytes);
      } catch (err) {
        peer.connection.abort(new DecodeError(channelId, err));
        return;
      }
    }
    const envelope: Envelope<unknown> = { peer, channelId, message };
    owner.subject.next(envelope);
    try {
      owner.reactor.receive?.(envelope);
    } catch (err) {
      peer.connection.abort(new ReactorError(owner.name, "receive", err));
    }
  }

  private remove(peer: Peer, reason: CloseReason): void {
    const wasAdded = this.peerMap.get(peer.id) === peer;
    if (wasAdded) this.peerMap.delete(peer.id);
    for (const [, reactor] of this.reactors) {
      try {
        reactor.removePeer?.(peer, reason);
      } catch {
        // The peer is gone already; a failing removePeer has nothing left to stop.
      }
    }
    if (wasAdded) this.events.next({ type: "removed", peer, reason });
    if (peer.isPersistent && this.state === "running" && reason.kind !== "closed") {
      const addr = peer.dialedAddr ?? `${peer.id}@${peer.nodeInfo.listenAddr.replace(/^[a-z]+:\/\//, "")}`;
      this.reconnect(parseNetAddress(addr));
    }
  }

  /** Dials `addr` until it connects, on the backoff schedule; one loop per peer ID. */
  private reconnect(addr: NetAddress): void {
    if (this.reconnecting.has(addr.id) || this.state !== "running") return;
    const log = this.options.logger ?? silentLogger;
    const sub = defer(() => from(this.dial(addr)))
      .pipe(
        tap({ error: (err: unknown) => log.debug({ peer: addr.id, err: String(err) }, "redial failed") }),
        retryWithBackoff({
          backoff: this.options.backoff ?? backoffDefaults,
          random: this.options.random ?? Math.random,
          scheduler: this.scheduler,
          shouldRetry: (err) => this.state === "running" && !(err instanceof PeerRejectedError && (err.rule === "duplicate-id" || err.rule === "self")),
        }),
      )
      .subscribe({
        next: () => undefined,
        error: (err: unknown) => {
          log.warn({ peer: addr.id, err: String(err) }, "gave up redialing persistent peer");
          this.reconnecting.delete(addr.id);
        },
        complete: () => this.reconnecting.delete(addr.id),
      });
    if (!sub.closed) this.reconnecting.set(addr.id, sub);
  }
}
