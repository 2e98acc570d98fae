import { asyncScheduler, defer, firstValueFrom, Observable, of, ReplaySubject, type SchedulerLike, type Subscription } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { ConfigError, MConnError, namePeer, type PeerRef } from "../error-base.js";
import { isLive, transition, type ConnectionEvent, type ConnectionState } from "./connection-state.js";
import { TransportError } from "../duplex/errors.js";
import type { WriteStallError } from "./errors.js";
import { maxPacketMsgSize } from "../wire/packet.js";
import { resolveChannels, type ResolvedChannelDescriptor } from "./channel-descriptor.js";
import type { CloseReason } from "./close-reason.js";
import type { ChannelStatus, ConnectionChannel, KeepaliveEvent, MConnectionOptions } from "./connection-types.js";
import { verifyConfig, type MConnectionConfig } from "./config.js";
import { DelayPacer, pacingDefaults } from "./delay-pacer.js";
import { Flusher } from "./flusher.js";
import { immediateScheduler, microtaskScheduler } from "./task-schedulers.js";
import { inbound } from "./inbound.js";
import { LazySubject } from "./lazy-subject.js";
import { outbound, type Outbound } from "./outbound.js";
import type { scheduleOutbound } from "./schedule-outbound.js";
import { addressHost, MEMORY_FLOOR_PER_CHANNEL, type BudgetAccount } from "./memory-budget.js";
import { PacketWriter } from "./packet-writer.js";
import { ReadGate } from "./read-gate.js";
import type { ChannelMessage } from "./reassemble.js";
import { burstFor, TokenBucket } from "./token-bucket.js";

export type { ChannelStatus, ConnectionChannel, KeepaliveEvent, MConnectionOptions };

/** A declared channel's state; its handle (and the stream of its messages) made by the first `channel(id)`. */
interface ChannelState {
  /** Its place in declaration order. */
  readonly index: number;
  handle: ConnectionChannel | undefined;
  inbox: LazySubject<Uint8Array> | undefined;
  receivedBytes: number;
  receivedMessages: number;
}

/**
 * CometBFT's multiplexed connection over any {@link ByteDuplex}: channels with priorities share
 * one stream of length-prefixed `Packet`s.
 *
 * Inbound (`inbound`): `incoming$` → (rate limit) → `decodePacketBatches` (the packets of each chunk) →
 * per-channel reassembly (`Reassembler`, the state behind `reassembleBatches`) →
 * `channel(id).messages$`; pings are answered with pongs, within `limitPingRate`'s allowance
 * (`PingAllowance`); every arrival feeds `keepalive`. Outbound: `send`/`trySend`/`hold`
 * → each channel's sender (`ChannelSender`: room in its bounded queue, waiters in order) → the
 * channel's outbound stream → {@link scheduleOutbound}, the operator that merges the channels
 * by `recentlySent / priority`, pulled by the flusher (`Flusher`): each flush takes the pongs and
 * ping owed, then demands what the write buffer and the pacing window have room for →
 * `PacketWriter`: one buffer, one write, respecting the duplex's backpressure.
 *
 * The connection ends exactly once; `ended$` replays why (an error names the peer given in the
 * options as `error.peer`). Channel streams complete then (they
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
  /** Each declared channel's state by id (a map: a connection has a few channels of 256 ids). */
  private readonly states = new Map<number, ChannelState>();
  private readonly outbound: Outbound;
  private readonly allMessages = new LazySubject<ChannelMessage>();
  private readonly keepaliveEvents = new LazySubject<KeepaliveEvent>();
  private readonly ended = new ReplaySubject<CloseReason>(1);
  private readonly recvBucket: TokenBucket;
  private readonly writer: PacketWriter;
  private readonly flusher: Flusher;
  private readonly subscriptions: Subscription[] = [];
  private readonly memory: BudgetAccount | undefined;
  private readonly gate: ReadGate;
  private readonly peer: PeerRef | undefined;
  private state: ConnectionState = "new";
  private closeTimer: Subscription | undefined;
  private endedWith: CloseReason | undefined;

  constructor(duplex: ByteDuplex, options: MConnectionOptions) {
    this.peer = options.peer;
    this.config = verifyConfig(options.config);
    this.channels = resolveChannels(options.channels);
    this.memory = options.memoryBudget?.account({
      ...(options.peer?.address === undefined ? {} : { host: addressHost(options.peer.address) }),
      floor: this.channels.length * MEMORY_FLOOR_PER_CHANNEL,
      onEvict: (error) => this.abort(error),
    });
    this.duplex = duplex;
    this.gate = new ReadGate(duplex);
    this.scheduler = options.scheduler ?? asyncScheduler;
    const { config, scheduler } = this;
    const maxPacket = maxPacketMsgSize(config.maxPacketMsgPayloadSize);
    this.recvBucket = new TokenBucket(config.recvRate, burstFor(config.recvRate, maxPacket), scheduler);
    this.outbound = outbound(this.channels, config, scheduler, this.memory, {
      queued: () => this.flusher.kick(),
      failed: (err) => this.finish({ kind: "error", error: asMConnError(err) }),
    });
    this.channels.forEach((d, index) => this.states.set(d.id, { index, handle: undefined, inbox: undefined, receivedBytes: 0, receivedMessages: 0 }));
    this.writer = new PacketWriter(duplex, {
      timeout: config.writeStallTimeout,
      scheduler,
      onStall: (error) => this.finish({ kind: "error", error }),
    });
    this.flusher = new Flusher({
      pull: (bytes) => this.outbound.pull(bytes),
      writer: this.writer,
      sendBucket: new TokenBucket(config.sendRate, burstFor(config.sendRate, maxPacket), scheduler),
      writeBufferSize: config.writeBufferSize,
      scheduler,
      flushScheduler: options.flushScheduler ?? microtaskScheduler,
      yieldScheduler: options.yieldScheduler ?? immediateScheduler,
      onControlWritten: (p) => this.keepaliveEvent(p.type === "ping" ? "ping-sent" : "pong-sent"),
      ...(config.pacingTargetDelay > 0 && {
        pacer: new DelayPacer({ ...pacingDefaults, targetDelay: config.pacingTargetDelay }, scheduler),
        stall: { timeout: config.writeStallTimeout, onStall: (error: WriteStallError) => this.finish({ kind: "error", error }) },
      }),
    });
    if (this.memory !== undefined) this.memory.onRelease = () => this.admitWaiting();
    this.messages$ = this.allMessages.observable$;
    this.ended$ = this.ended.asObservable();
    this.keepalive$ = this.keepaliveEvents.observable$;
  }

  /** The remote end, as the duplex describes it. */
  get remote(): string {
    return this.duplex.remote;
  }

  /** True between `start()` and the end (also while `close()` flushes). */
  get isRunning(): boolean {
    return isLive(this.state);
  }

  /** True while the connection takes new messages: running, not yet closing. */
  get acceptsMessages(): boolean {
    return this.state === "running";
  }

  /** The reason the connection ended, once it has. */
  get closeReason(): CloseReason | undefined {
    return this.endedWith;
  }

  /**
   * The channel `id`.
   * @throws {ConfigError} if the connection has no such channel.
   */
  channel(id: number): ConnectionChannel {
    const st = this.states.get(id);
    if (st === undefined || !Number.isInteger(id)) throw new ConfigError(`no channel ${id} on this connection`);
    return (st.handle ??= this.handle(id, st));
  }

  /** Starts reading and writing. Subscribe to the channels first: nothing received is kept for later. */
  start(): void {
    if (this.state !== "new") throw new MConnError("already-started", "MConnection.start() was called twice");
    this.apply("start");
    const { config, scheduler } = this;
    const input = inbound(this.gate.duplex, config, this.channels, this.recvBucket, scheduler, {
      pingDue: () => this.flusher.owePing(),
      controlReceived: (p) => {
        if (p.type === "pong") this.flusher.pong();
        this.keepaliveEvent(p.type === "ping" ? "ping-received" : "pong-received");
      },
      pongDue: () => this.flusher.owePong(),
      message: (m) => this.deliver(m),
    }, this.memory);
    this.subscriptions.push(
      this.duplex.drained$.subscribe(() => {
        this.writer.drained();
        this.flusher.kick();
      }),
      input.run$.subscribe({
        error: (err: unknown) => this.finish({ kind: "error", error: asMConnError(err) }),
        complete: () => {
          // The peer closed its side first while we close: it still reads, so what we queued
          // is written (without pacing: a half-closed peer cannot answer a probe), then we end.
          if (this.apply("remote-ended") === "closing-remote-done") this.flusher.unpace();
        },
      }),
    );
    this.subscriptions.push(input.connect());
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
      const st = this.states.get(channelId);
      return !this.acceptsMessages || st === undefined ? of(false) : this.outbound.sender(st.index).queue(message);
    });
  }

  /**
   * Queues `message` on channel `channelId` if its queue has room now (and nobody is waiting in
   * `send()` before it); `false` otherwise (counted in the channel's `dropped`), or when the
   * connection is not running.
   */
  trySend(channelId: number, message: Uint8Array): boolean {
    const st = this.states.get(channelId);
    if (!this.acceptsMessages || st === undefined) return false;
    return this.outbound.sender(st.index).trySend(message);
  }

  /**
   * Queues `message` on channel `channelId` now if there is room, else holds it in order until
   * there is, with no time limit: the stream sink's way (`peer.send$`). Held messages take at
   * most `sendBufferSize` bytes across the channels, drawn from the memory budget. `false` when
   * the message fits neither (counted in the channel's `dropped`), on an unknown channel, or
   * when the connection does not take messages. `onGivenUp` is told if a held message is never
   * queued because the connection closes or ends first.
   */
  hold(channelId: number, message: Uint8Array, onGivenUp?: () => void): boolean {
    const st = this.states.get(channelId);
    if (!this.acceptsMessages || st === undefined) return false;
    return this.outbound.sender(st.index).hold(message, onGivenUp);
  }

  /**
   * Ends the connection cleanly: stops accepting messages, flushes what is queued (within
   * `closeTimeout`), then closes. Resolves with the reason the connection ended (`closed`
   * unless something else ended it first).
   */
  close(): Promise<CloseReason> {
    if (this.apply("close") === "closing") {
      for (const sender of this.outbound.senders) sender?.failWaiting();
      this.closeTimer = this.scheduler.schedule(() => this.apply("close-timeout"), this.config.closeTimeout);
      // Everything queued is written: half-close and wait for the peer to close its side.
      this.flusher.finish(() => {
        this.duplex.end(() => this.apply("local-half-closed"));
      });
    }
    return firstValueFrom(this.ended);
  }

  /**
   * Stops reading from the duplex until the returned function is called: a socket then stops
   * reading and TCP flow control slows the peer's sending. Holds are reference-counted, shared
   * with the inbound rate limit's own pauses: reading resumes when the last is released. A
   * message already being decoded from the current read is still delivered. Reading paused for
   * longer than `pingInterval + pongTimeout` ends the connection with a pong timeout (the pong
   * is not read), as a blocked receive does in CometBFT.
   */
  holdReading(): () => void {
    return this.gate.hold();
  }

  /**
   * Ends the connection at once with `error` as its reason (queued messages are dropped). The
   * error is the reason itself, not a copy: when it names no peer yet, this connection's peer is
   * set on it (so pass a new error per connection, not one shared by several).
   */
  abort(error: MConnError): void {
    this.finish({ kind: "error", error });
  }

  /** Counters of every channel, in declaration order. */
  status(): ChannelStatus[] {
    return this.channels.map((d, i) => {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- states holds every declared channel
      const st = this.states.get(d.id)!;
      const out = this.outbound.counters(i);
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
        dropped: this.outbound.senders[i]?.dropped ?? 0,
      };
    });
  }

  /** Memory came free: senders waiting for it may queue now. */
  private admitWaiting(): void {
    if (!this.acceptsMessages) return;
    let admitted = 0;
    for (const sender of this.outbound.senders) admitted += sender?.admit() ?? 0;
    if (admitted > 0) this.flusher.kick();
  }

  private deliver(m: ChannelMessage): void {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- reassembly delivers only declared channels (others end the connection)
    const st = this.states.get(m.channelId)!;
    st.receivedBytes += m.message.length;
    st.receivedMessages++;
    st.inbox?.next(m.message);
    this.allMessages.next(m);
  }

  /** Channel `id`'s handle; its stream of messages completes at once if the connection has ended. */
  private handle(id: number, st: ChannelState): ConnectionChannel {
    const inbox = new LazySubject<Uint8Array>();
    if (this.endedWith !== undefined) inbox.complete();
    st.inbox = inbox;
    return {
      descriptor: this.channels[st.index],
      messages$: inbox.observable$,
      send: (message) => this.send(id, message),
      trySend: (message) => this.trySend(id, message),
    };
  }

  /** Tells `keepalive$` of a ping or pong (built only when someone listens). */
  private keepaliveEvent(type: KeepaliveEvent["type"]): void {
    if (this.keepaliveEvents.observed) this.keepaliveEvents.next({ type, at: this.scheduler.now() });
  }

  /** Moves the lifecycle on `event` (see {@link transition}); returns the state it is in after. */
  private apply(event: ConnectionEvent): ConnectionState {
    const t = transition(this.state, event);
    if (t === undefined) return this.state;
    if (t.to === "ended") this.finish({ kind: t.end });
    else this.state = t.to;
    return this.state;
  }

  /** Ends the connection with `reason` (an error ends any state; the first reason is the one). */
  private finish(reason: CloseReason): void {
    if (this.endedWith !== undefined) return;
    if (reason.kind === "error") namePeer(reason.error, this.peer);
    this.endedWith = reason;
    this.state = "ended";
    for (const s of this.subscriptions) s.unsubscribe();
    this.flusher.stop();
    this.outbound.stop();
    this.writer.stop();
    this.memory?.close();
    this.closeTimer?.unsubscribe();
    this.duplex.destroy();
    for (const sender of this.outbound.senders) sender?.failWaiting();
    for (const st of this.states.values()) st.inbox?.complete();
    this.allMessages.complete();
    this.keepaliveEvents.complete();
    this.ended.next(reason);
    this.ended.complete();
  }
}

function asMConnError(err: unknown): MConnError {
  if (err instanceof MConnError) return err;
  return new TransportError(err instanceof Error ? err.message : String(err), { cause: err });
}
