import {
  asapScheduler,
  asyncScheduler,
  connectable,
  filter,
  firstValueFrom,
  merge,
  mergeMap,
  Observable,
  ReplaySubject,
  Subject,
  tap,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { MConnError, TransportError } from "../errors.js";
import { decodePacketBatches } from "../wire/decode-packets.js";
import { encodeBatchInto } from "../wire/encode-packets.js";
import { maxPacketMsgSize, PING, PONG, type MsgPacket, type Packet, packetWireSize } from "../wire/packet.js";
import { resolveChannels, type ChannelDescriptor, type ResolvedChannelDescriptor } from "./channel-descriptor.js";
import type { CloseReason } from "./close-reason.js";
import { verifyConfig, type MConnectionConfig } from "./config.js";
import { keepalive } from "./keepalive.js";
import { limitIncoming } from "./limit-incoming.js";
import { limitPingRate } from "./limit-ping-rate.js";
import { OutboundChannel } from "./outbound-channel.js";
import { prioritySchedule } from "./priority-schedule.js";
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
   * Where flushes run. Default `asapScheduler`: sends made in one turn of the event loop leave
   * together in one write, and a lone message leaves at the end of the current turn.
   */
  readonly flushScheduler?: SchedulerLike;
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

interface Waiter {
  readonly message: Uint8Array;
  readonly done: (queued: boolean) => void;
}

interface ChannelState {
  readonly out: OutboundChannel;
  readonly inbox: Subject<Uint8Array>;
  readonly waiters: Waiter[];
  readonly handle: ConnectionChannel;
  sentBytes: number;
  sentMessages: number;
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
 * guarded by `limitPingRate`; every arrival feeds `keepalive`. Outbound: each channel's bounded
 * queue → `prioritySchedule` → encoded into one buffer (reused while the duplex reports its
 * writes settled) → one write per flush, respecting the duplex's backpressure.
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
  private readonly flushScheduler: SchedulerLike;
  private readonly states: (ChannelState | undefined)[] = new Array(256);
  private readonly outbound: OutboundChannel[];
  private readonly allMessages = new Subject<ChannelMessage>();
  private readonly keepaliveEvents = new Subject<KeepaliveEvent>();
  private readonly ended = new ReplaySubject<CloseReason>(1);
  private readonly pulls = new Subject<void>();
  private readonly sendBucket: TokenBucket;
  private readonly recvBucket: TokenBucket;
  private batch: MsgPacket[] = [];
  /** Reused for the next write when the duplex says the previous writes are settled. */
  private writeScratch: Uint8Array | undefined;
  private readonly subscriptions: Subscription[] = [];
  private state: "new" | "running" | "closing" | "ended" = "new";
  private writable = true;
  private flushScheduled = false;
  private rateTimer: Subscription | undefined;
  private closeTimer: Subscription | undefined;
  private pingOwed = false;
  private pongsOwed = 0;
  private endedWith: CloseReason | undefined;
  private halfClosed = false;

  constructor(duplex: ByteDuplex, options: MConnectionOptions) {
    this.config = verifyConfig(options.config);
    this.channels = resolveChannels(options.channels);
    this.duplex = duplex;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.flushScheduler = options.flushScheduler ?? asapScheduler;
    const maxPacket = maxPacketMsgSize(this.config.maxPacketMsgPayloadSize);
    this.sendBucket = new TokenBucket(this.config.sendRate, burstFor(this.config.sendRate, maxPacket), this.scheduler);
    this.recvBucket = new TokenBucket(this.config.recvRate, burstFor(this.config.recvRate, maxPacket), this.scheduler);
    this.outbound = this.channels.map((d) => {
      const out = new OutboundChannel(d, this.config.maxPacketMsgPayloadSize);
      const inbox = new Subject<Uint8Array>();
      const handle: ConnectionChannel = {
        descriptor: d,
        messages$: inbox.asObservable(),
        send: (message) => this.send(d.id, message),
        trySend: (message) => this.trySend(d.id, message),
      };
      this.states[d.id] = { out, inbox, waiters: [], handle, sentBytes: 0, sentMessages: 0, receivedBytes: 0, receivedMessages: 0 };
      return out;
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
      tap(() => {
        this.pingOwed = true;
        this.kick();
      }),
    );
    const pongsToSend$ = batches$.pipe(
      // Most batches are all data: only those with a ping or pong go through mergeMap.
      filter((batch) => batch.some(isControl)),
      mergeMap((batch) => batch.filter(isControl)),
      tap((p) => this.keepaliveEvents.next({ type: p.type === "ping" ? "ping-received" : "pong-received", at: scheduler.now() })),
      filter((p) => p.type === "ping"),
      limitPingRate({ burst: config.pingBurst, perSecond: config.maxPingRate, scheduler }),
      tap(() => {
        this.pongsOwed++;
        this.kick();
      }),
    );
    const received$ = batches$.pipe(
      reassembleBatches(this.channels),
      tap((m) => this.deliver(m)),
    );

    this.subscriptions.push(
      this.pulls
        .pipe(
          prioritySchedule(this.outbound, {
            batchSize: config.batchSize,
            decayPeriod: config.decayPeriod,
            decayFactor: config.decayFactor,
            scheduler,
            onDequeue: (ch) => this.admitWaiters(ch),
          }),
        )
        .subscribe((batch) => {
          this.batch = batch;
        }),
      this.duplex.drained$.subscribe(() => {
        this.writable = true;
        this.kick();
      }),
      merge(pingsToSend$, pongsToSend$, received$).subscribe({
        error: (err: unknown) => this.finish({ kind: "error", error: asMConnError(err) }),
        complete: () => this.finish(this.state === "closing" ? { kind: "closed" } : { kind: "remote-closed" }),
      }),
    );
    this.subscriptions.push(batches$.connect());
    this.kick();
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
    return new Observable<boolean>((subscriber) => {
      const answer = (queued: boolean) => {
        subscriber.next(queued);
        subscriber.complete();
      };
      const st = this.states[channelId];
      if (this.state !== "running" || st === undefined) return answer(false);
      if (this.trySend(channelId, message)) return answer(true);
      const waiter: Waiter = {
        message,
        done: (queued) => {
          timer.unsubscribe();
          answer(queued);
        },
      };
      st.waiters.push(waiter);
      const timer = this.scheduler.schedule(() => {
        remove(st.waiters, waiter);
        answer(false);
      }, this.config.sendTimeout);
      return () => {
        timer.unsubscribe();
        remove(st.waiters, waiter);
      };
    });
  }

  /**
   * Queues `message` on channel `channelId` if its queue has room now (and nobody is waiting in
   * `send()` before it); `false` otherwise, or when the connection is not running.
   */
  trySend(channelId: number, message: Uint8Array): boolean {
    const st = this.states[channelId];
    if (this.state !== "running" || st === undefined || st.waiters.length > 0) return false;
    if (!st.out.offer(message)) return false;
    this.kick();
    return true;
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
      for (const st of this.states) if (st !== undefined) this.failWaiters(st);
      this.closeTimer = this.scheduler.schedule(() => this.finish({ kind: "closed" }), this.config.closeTimeout);
      this.kick();
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
      return {
        id: d.id,
        priority: d.priority,
        queued: st.out.queued,
        pendingBytes: st.out.pendingBytes,
        recentlySent: st.out.recentlySent,
        sentBytes: st.sentBytes,
        sentMessages: st.sentMessages,
        receivedBytes: st.receivedBytes,
        receivedMessages: st.receivedMessages,
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

  private admitWaiters(ch: OutboundChannel): void {
    const st = this.states[ch.id]!;
    while (st.waiters.length > 0 && ch.hasRoom) {
      const waiter = st.waiters.shift()!;
      ch.offer(waiter.message);
      waiter.done(true);
    }
  }

  private failWaiters(st: ChannelState): void {
    const waiters = st.waiters.splice(0);
    for (const w of waiters) w.done(false);
  }

  /** Schedules a flush (once per turn, however many sends asked for it). */
  private kick(): void {
    if (this.flushScheduled || !this.writable || !this.isRunning) return;
    this.flushScheduled = true;
    this.flushScheduler.schedule(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Gathers control packets and scheduled batches into one buffer and writes it. */
  private flush(): void {
    if (!this.writable || !this.isRunning) return;
    const packets: Packet[] = [];
    let bytes = 0;
    if (this.pingOwed) {
      packets.push(PING);
      bytes += 3;
      this.pingOwed = false;
    }
    for (; this.pongsOwed > 0; this.pongsOwed--) {
      packets.push(PONG);
      bytes += 3;
    }
    let more = false;
    const wait = this.sendBucket.wait();
    if (wait > 0) {
      this.rateTimer ??= this.scheduler.schedule(() => {
        this.rateTimer = undefined;
        this.kick();
      }, wait);
    } else {
      while (bytes < this.config.writeBufferSize) {
        this.pulls.next();
        const batch = this.batch;
        for (const p of batch) {
          packets.push(p);
          const size = packetWireSize(p);
          bytes += size;
          const st = this.states[p.channelId]!;
          st.sentBytes += p.data.length;
          if (p.eof) st.sentMessages++;
        }
        if (batch.length < this.config.batchSize) break; // the queues are empty
      }
      // Another flush only if the write buffer filled up before the queues emptied.
      more = this.outbound.some((ch) => ch.hasPending);
    }
    if (packets.length > 0) {
      this.sendBucket.spend(bytes);
      if (!this.duplex.write(this.encode(packets, bytes))) this.writable = false;
      for (const p of packets) {
        if (p.type === "msg") break; // control packets lead the batch
        this.keepaliveEvents.next({ type: p.type === "ping" ? "ping-sent" : "pong-sent", at: this.scheduler.now() });
      }
      if (more || this.state === "closing") this.kick();
      return;
    }
    if (this.state === "closing" && wait === 0) this.finishClosing();
  }

  /**
   * `packets` (`size` bytes on the wire) in one buffer: the previous write's buffer when the
   * duplex has let go of it (no allocation, no fresh pages to fault in), else a new one. Only a
   * buffer the writes keep well filled (a bulk flow) is kept for the next one, so a connection
   * that sends little holds no write buffer between writes.
   */
  private encode(packets: readonly Packet[], size: number): Uint8Array {
    let out = this.writeScratch;
    if (out === undefined || out.length < size || this.duplex.writesSettled?.() !== true) {
      out = Buffer.allocUnsafe(size < SMALL_WRITE ? size : 2 ** Math.ceil(Math.log2(size)));
    }
    this.writeScratch = size >= SMALL_WRITE && size * 2 >= out.length ? out : undefined;
    return out.subarray(0, encodeBatchInto(packets, out));
  }

  /** Everything queued is written: half-close and wait for the peer to close its side. */
  private finishClosing(): void {
    if (this.halfClosed) return;
    this.halfClosed = true;
    this.duplex.end();
  }

  private finish(reason: CloseReason): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = reason;
    this.state = "ended";
    for (const s of this.subscriptions) s.unsubscribe();
    this.rateTimer?.unsubscribe();
    this.closeTimer?.unsubscribe();
    this.duplex.destroy();
    for (const st of this.states) {
      if (st === undefined) continue;
      this.failWaiters(st);
      st.out.clear();
      st.inbox.complete();
    }
    this.allMessages.complete();
    this.keepaliveEvents.complete();
    this.pulls.complete();
    this.ended.next(reason);
    this.ended.complete();
  }
}

/** Writes under this size use Node's pooled small buffers and keep no buffer of their own. */
const SMALL_WRITE = 4096;

function isControl(p: Packet): boolean {
  return p.type !== "msg";
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function asMConnError(err: unknown): MConnError {
  if (err instanceof MConnError) return err;
  return new TransportError(err instanceof Error ? err.message : String(err), { cause: err });
}
