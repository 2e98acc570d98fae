import {
  asapScheduler,
  asyncScheduler,
  connectable,
  defer,
  filter,
  firstValueFrom,
  merge,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  Subject,
  tap,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { MConnError, TransportError } from "../errors.js";
import { decodePacketBatches } from "../wire/decode-packets.js";
import { maxPacketMsgSize, type Packet } from "../wire/packet.js";
import { resolveChannels, type ChannelDescriptor, type ResolvedChannelDescriptor } from "./channel-descriptor.js";
import { ChannelSender } from "./channel-sender.js";
import type { CloseReason } from "./close-reason.js";
import { verifyConfig, type MConnectionConfig } from "./config.js";
import { Flusher } from "./flusher.js";
import { immediateScheduler } from "./immediate-scheduler.js";
import { keepalive } from "./keepalive.js";
import { limitIncoming } from "./limit-incoming.js";
import { limitPingRate } from "./limit-ping-rate.js";
import { batchCutter } from "./next-batch.js";
import { OutboundChannel } from "./outbound-channel.js";
import { PacketWriter } from "./packet-writer.js";
import { reassembleBatches, type ChannelMessage } from "./reassemble.js";
import { burstFor, TokenBucket } from "./token-bucket.js";

/** Options of an {@link MConnection}. */
export interface MConnectionOptions {
  /** The channels, fixed for the connection's life. */
  readonly channels: readonly ChannelDescriptor[];
  /** Overrides of {@link defaults}. */
  readonly config?: Partial<MConnectionConfig>;
  /** Timers and clock (keepalive, send timeout, decay, rate limits). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Where the first flush of a turn of the event loop runs. Default `asapScheduler`: sends made
   * in one turn leave together in one write, and a lone message leaves at the end of the turn.
   */
  readonly flushScheduler?: SchedulerLike;
  /**
   * Where a further flush in the same turn runs (the rest of a flush that filled its write
   * buffer, or what a sender looping on `await send()` queued). Default
   * `setImmediate` (a macrotask): a busy connection writes one buffer per turn, so
   * timers and other sockets keep running. In virtual time, pass the test's scheduler here too.
   */
  readonly yieldScheduler?: SchedulerLike;
}

/** Counters of one channel. */
export interface ChannelStatus {
  readonly id: number;
  readonly priority: number;
  /** Messages waiting in the send queue. */
  readonly queued: number;
  /** Bytes queued and not yet cut into packets. */
  readonly pendingBytes: number;
  /** The scheduler's weight: recently sent bytes, decayed. */
  readonly recentlySent: number;
  readonly sentBytes: number;
  readonly sentMessages: number;
  readonly receivedBytes: number;
  readonly receivedMessages: number;
  /** Messages refused: `trySend` without room in the queue, or a `send()` that timed out waiting. */
  readonly dropped: number;
}

/** One channel of a connection, as users see it. */
export interface ConnectionChannel {
  readonly descriptor: ResolvedChannelDescriptor;
  /** Whole messages received on this channel; completes when the connection ends. */
  readonly messages$: Observable<Uint8Array>;
  /** Queues `message`, waiting up to `sendTimeout` for room; see {@link MConnection.send}. */
  send(message: Uint8Array): Promise<boolean>;
  /** Queues `message` if there is room now; see {@link MConnection.trySend}. */
  trySend(message: Uint8Array): boolean;
}

interface ChannelState {
  readonly sender: ChannelSender;
  readonly inbox: Subject<Uint8Array>;
  readonly handle: ConnectionChannel;
  receivedBytes: number;
  receivedMessages: number;
}

/** A keepalive packet received or written, with the scheduler's time. */
export interface KeepaliveEvent {
  readonly type: "ping-received" | "pong-received" | "ping-sent" | "pong-sent";
  readonly at: number;
}

/**
 * CometBFT's multiplexed connection over any {@link ByteDuplex}: channels with priorities share
 * one stream of length-prefixed `Packet`s.
 *
 * Inbound: `incoming$` → (rate limit) → `decodePacketBatches` (the packets of each chunk) →
 * per-channel `reassembleBatches` → `channel(id).messages$`; pings are answered with pongs,
 * guarded by `limitPingRate`; every arrival feeds `keepalive`. Outbound: `send`/`trySend` → each
 * channel's bounded queue (`ChannelSender`) → a flush (`Flusher`) takes the pongs
 * and ping owed, then calls `nextBatch()` ({@link batchCutter}: packets by priority) until the
 * write buffer is full or the queues are empty → `PacketWriter`: one buffer, one write,
 * respecting the duplex's backpressure.
 *
 * The connection ends exactly once; `ended$` replays why. Channel streams complete then (they
 * never error: the reason is in `ended$`).
 *
 * @example
 * const conn = new MConnection(socketDuplex(socket), { channels: [{ id: 0x20, priority: 5 }] });
 * conn.channel(0x20).messages$.subscribe((m) => console.log(m.length));
 * conn.start();
 * await conn.send(0x20, new TextEncoder().encode("hello"));
 */
export class MConnection {
  /** The effective configuration (defaults filled in). */
  readonly config: MConnectionConfig;
  /** The channel descriptors (defaults filled in), in declaration order. */
  readonly channels: readonly ResolvedChannelDescriptor[];
  /** Whole messages on every channel; completes when the connection ends. */
  readonly messages$: Observable<ChannelMessage>;
  /** Emits the single {@link CloseReason} once the connection has ended, then completes. */
  readonly ended$: Observable<CloseReason>;
  /**
   * Keepalive traffic as it happens: pings and pongs received, and written. Completes when the
   * connection ends. For logs, metrics and tests; nothing needs to subscribe.
   */
  readonly keepalive$: Observable<KeepaliveEvent>;

  private readonly duplex: ByteDuplex;
  private readonly scheduler: SchedulerLike;
  private readonly states: (ChannelState | undefined)[] = new Array<ChannelState | undefined>(256);
  private readonly outbound: OutboundChannel[];
  private readonly allMessages = new Subject<ChannelMessage>();
  private readonly keepaliveEvents = new Subject<KeepaliveEvent>();
  private readonly ended = new ReplaySubject<CloseReason>(1);
  private readonly recvBucket: TokenBucket;
  private readonly writer: PacketWriter;
  private readonly flusher: Flusher;
  private readonly subscriptions: Subscription[] = [];
  private state: "new" | "running" | "closing" | "ended" = "new";
  private closeTimer: Subscription | undefined;
  private endedWith: CloseReason | undefined;

  constructor(duplex: ByteDuplex, options: MConnectionOptions) {
    this.config = verifyConfig(options.config);
    this.channels = resolveChannels(options.channels);
    this.duplex = duplex;
    this.scheduler = options.scheduler ?? asyncScheduler;
    const { config, scheduler } = this;
    const maxPacket = maxPacketMsgSize(config.maxPacketMsgPayloadSize);
    this.recvBucket = new TokenBucket(config.recvRate, burstFor(config.recvRate, maxPacket), scheduler);
    const kick = () => this.flusher.kick();
    this.outbound = this.channels.map((d) => {
      const out = new OutboundChannel(d, config.maxPacketMsgPayloadSize);
      const sender = new ChannelSender(out, { sendTimeout: config.sendTimeout, scheduler, onQueued: kick });
      const inbox = new Subject<Uint8Array>();
      const handle: ConnectionChannel = {
        descriptor: d,
        messages$: inbox.asObservable(),
        send: (message) => this.send(d.id, message),
        trySend: (message) => this.trySend(d.id, message),
      };
      this.states[d.id] = { sender, inbox, handle, receivedBytes: 0, receivedMessages: 0 };
      return out;
    });
    this.writer = new PacketWriter(duplex, {
      timeout: config.writeStallTimeout,
      scheduler,
      onStall: (error) => this.finish({ kind: "error", error }),
    });
    this.flusher = new Flusher({
      nextBatch: batchCutter(this.outbound, {
        batchSize: config.batchSize,
        decayPeriod: config.decayPeriod,
        decayFactor: config.decayFactor,
        scheduler,
        onDequeue: (ch) => this.states[ch.id]!.sender.admit(),
      }),
      hasPending: () => this.outbound.some((ch) => ch.hasPending),
      writer: this.writer,
      sendBucket: new TokenBucket(config.sendRate, burstFor(config.sendRate, maxPacket), scheduler),
      writeBufferSize: config.writeBufferSize,
      batchSize: config.batchSize,
      scheduler,
      flushScheduler: options.flushScheduler ?? asapScheduler,
      yieldScheduler: options.yieldScheduler ?? immediateScheduler,
      onControlWritten: (p) => this.keepaliveEvents.next({ type: p.type === "ping" ? "ping-sent" : "pong-sent", at: scheduler.now() }),
    });
    this.messages$ = this.allMessages.asObservable();
    this.ended$ = this.ended.asObservable();
    this.keepalive$ = this.keepaliveEvents.asObservable();
  }

  /** The remote end, as the duplex describes it. */
  get remote(): string {
    return this.duplex.remote;
  }

  /** True between `start()` and the end (also while `close()` flushes). */
  get isRunning(): boolean {
    return this.state === "running" || this.state === "closing";
  }

  /** The reason the connection ended, once it has. */
  get closeReason(): CloseReason | undefined {
    return this.endedWith;
  }

  /**
   * The channel `id`.
   * @throws {RangeError} if the connection has no such channel.
   */
  channel(id: number): ConnectionChannel {
    const st = this.states[id];
    if (st === undefined || !Number.isInteger(id)) throw new RangeError(`no channel ${id} on this connection`);
    return st.handle;
  }

  /** Starts reading and writing. Subscribe to the channels first: nothing received is kept for later. */
  start(): void {
    if (this.state !== "new") throw new MConnError("already-started", "MConnection.start() was called twice");
    this.state = "running";
    const { config, scheduler } = this;

    // One array of packets per chunk read: the consumers below run once per chunk, not once per
    // packet. Connected only once every consumer has subscribed.
    const batches$ = connectable(
      limitIncoming(this.duplex, this.recvBucket, scheduler).pipe(decodePacketBatches(maxPacketMsgSize(config.maxPacketMsgPayloadSize))),
      { connector: () => new Subject<readonly Packet[]>(), resetOnDisconnect: false },
    );
    const pingsToSend$ = batches$.pipe(
      keepalive({ pingInterval: config.pingInterval, pongTimeout: config.pongTimeout, scheduler }),
      tap(() => this.flusher.owePing()),
    );
    const pongsToSend$ = batches$.pipe(
      // Most batches are all data: only those with a ping or pong go through mergeMap.
      filter((batch) => batch.some(isControl)),
      mergeMap((batch) => batch.filter(isControl)),
      tap((p) => this.keepaliveEvents.next({ type: p.type === "ping" ? "ping-received" : "pong-received", at: scheduler.now() })),
      filter((p) => p.type === "ping"),
      limitPingRate({ burst: config.pingBurst, perSecond: config.maxPingRate, scheduler }),
      tap(() => this.flusher.owePong()),
    );
    const received$ = batches$.pipe(
      reassembleBatches(this.channels),
      tap((m) => this.deliver(m)),
    );

    this.subscriptions.push(
      this.duplex.drained$.subscribe(() => {
        this.writer.drained();
        this.flusher.kick();
      }),
      merge(pingsToSend$, pongsToSend$, received$).subscribe({
        error: (err: unknown) => this.finish({ kind: "error", error: asMConnError(err) }),
        complete: () => this.finish(this.state === "closing" ? { kind: "closed" } : { kind: "remote-closed" }),
      }),
    );
    this.subscriptions.push(batches$.connect());
    this.flusher.kick();
  }

  /**
   * Queues `message` on channel `channelId`, waiting up to `sendTimeout` for room.
   * Resolves `true` once queued (not yet sent), `false` on timeout, on an unknown channel, or
   * when the connection is not running. Never rejects.
   */
  send(channelId: number, message: Uint8Array): Promise<boolean> {
    return firstValueFrom(this.queue(channelId, message));
  }

  /**
   * The Observable form of {@link MConnection.send}: emits `true` once queued or `false` (timeout,
   * closed, unknown channel), then completes. Unsubscribing withdraws a message still waiting.
   */
  queue(channelId: number, message: Uint8Array): Observable<boolean> {
    return defer(() => {
      const st = this.states[channelId];
      return this.state !== "running" || st === undefined ? of(false) : st.sender.queue(message);
    });
  }

  /**
   * Queues `message` on channel `channelId` if its queue has room now (and nobody is waiting in
   * `send()` before it); `false` otherwise (counted in the channel's `dropped`), or when the
   * connection is not running.
   */
  trySend(channelId: number, message: Uint8Array): boolean {
    const st = this.states[channelId];
    if (this.state !== "running" || st === undefined) return false;
    return st.sender.trySend(message);
  }

  /**
   * Ends the connection cleanly: stops accepting messages, flushes what is queued (within
   * `closeTimeout`), then closes. Resolves with the reason the connection ended (`closed`
   * unless something else ended it first).
   */
  close(): Promise<CloseReason> {
    if (this.state === "new") {
      this.state = "closing";
      this.finish({ kind: "closed" });
    } else if (this.state === "running") {
      this.state = "closing";
      for (const st of this.states) st?.sender.failWaiting();
      this.closeTimer = this.scheduler.schedule(() => this.finish({ kind: "closed" }), this.config.closeTimeout);
      // Everything queued is written: half-close and wait for the peer to close its side.
      this.flusher.finish(() => this.duplex.end());
    }
    return firstValueFrom(this.ended);
  }

  /** Ends the connection at once with `error` as its reason (queued messages are dropped). */
  abort(error: MConnError): void {
    this.finish({ kind: "error", error });
  }

  /** Counters of every channel, in declaration order. */
  status(): ChannelStatus[] {
    return this.channels.map((d) => {
      const st = this.states[d.id]!;
      const out = st.sender.out;
      return {
        id: d.id,
        priority: d.priority,
        queued: out.queued,
        pendingBytes: out.pendingBytes,
        recentlySent: out.recentlySent,
        sentBytes: out.sentBytes,
        sentMessages: out.sentMessages,
        receivedBytes: st.receivedBytes,
        receivedMessages: st.receivedMessages,
        dropped: st.sender.dropped,
      };
    });
  }

  private deliver(m: ChannelMessage): void {
    const st = this.states[m.channelId]!;
    st.receivedBytes += m.message.length;
    st.receivedMessages++;
    st.inbox.next(m.message);
    this.allMessages.next(m);
  }

  private finish(reason: CloseReason): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = reason;
    this.state = "ended";
    for (const s of this.subscriptions) s.unsubscribe();
    this.flusher.stop();
    this.writer.stop();
    this.closeTimer?.unsubscribe();
    this.duplex.destroy();
    for (const st of this.states) {
      if (st === undefined) continue;
      st.sender.failWaiting();
      st.sender.out.clear();
      st.inbox.complete();
    }
    this.allMessages.complete();
    this.keepaliveEvents.complete();
    this.ended.next(reason);
    this.ended.complete();
  }
}

function isControl(p: Packet): boolean {
  return p.type !== "msg";
}

function asMConnError(err: unknown): MConnError {
  if (err instanceof MConnError) return err;
  return new TransportError(err instanceof Error ? err.message : String(err), { cause: err });
}
