/**
 * The public shapes of an {@link MConnection}: its options, a channel's handle and counters, and
 * keepalive events.
 * @module
 */
import type { Observable, SchedulerLike } from "rxjs";
import type { ChannelDescriptor, ResolvedChannelDescriptor } from "./channel-descriptor.js";
import type { defaults, MConnectionConfig } from "./config.js";
import type { MConnection } from "./mconnection.js";
import type { MemoryBudget } from "./memory-budget.js";
import type { PeerRef } from "../error-base.js";

/** Options of an {@link MConnection}. */
export interface MConnectionOptions {
  /** The channels, fixed for the connection's life. */
  readonly channels: readonly ChannelDescriptor[];
  /** Overrides of {@link defaults}. */
  readonly config?: Partial<MConnectionConfig>;
  /** Timers and clock (keepalive, send timeout, decay, rate limits). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Where the first flush of a turn of the event loop runs. Default a microtask (as
   * `asapScheduler`, with less to allocate per flush): sends made in one turn leave together in
   * one write, and a lone message leaves at the end of the turn.
   */
  readonly flushScheduler?: SchedulerLike;
  /**
   * Where a further flush in the same turn runs (the rest of a flush that filled its write
   * buffer, or what a sender looping on `await send()` queued). Default
   * `setImmediate` (a macrotask): a busy connection writes one buffer per turn, so
   * timers and other sockets keep running. In virtual time, pass the test's scheduler here too.
   */
  readonly yieldScheduler?: SchedulerLike;
  /**
   * A process-wide budget the connection's reassembly buffers and send queues draw from (one
   * account per connection). A message in reassembly that would take the connection past its
   * share ends it with a `MemoryBudgetError`; a message to send that would is not queued
   * (`trySend` returns `false`, `send` waits for room, up to `sendTimeout`), counted in `dropped`.
   */
  readonly memoryBudget?: MemoryBudget;
  /** The peer at the other end, when known: the error that ends the connection names it (`error.peer`). */
  readonly peer?: PeerRef;
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

/** A keepalive packet received or written, with the scheduler's time. */
export interface KeepaliveEvent {
  readonly type: "ping-received" | "pong-received" | "ping-sent" | "pong-sent";
  readonly at: number;
}
