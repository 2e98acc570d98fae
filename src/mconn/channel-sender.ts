/**
 * The sending side of one channel as callers see it: `trySend` (room now or refused), `queue`
 * (wait in line for room, up to `sendTimeout`) and `hold` (wait in line without a time limit,
 * within the connection's send buffer of bytes), with every refusal counted. Room is a
 * free place in the channel's queue and, with a memory budget, the message's bytes within the
 * connection's share of it.
 * @module
 */
import { Observable, type SchedulerLike } from "rxjs";
import type { BudgetAccount } from "./memory-budget.js";

/** Options of a {@link ChannelSender}. */
export interface ChannelSenderOptions {
  /** Messages the channel's queue holds (`sendQueueCapacity`), not counting the one being cut. */
  readonly capacity: number;
  /** Hands a message to the channel's outbound stream (the scheduler queues it). */
  readonly push: (message: Uint8Array) => void;
  /** How long a queued sender waits for room (ms). */
  readonly sendTimeout: number;
  /** Clock of the wait. */
  readonly scheduler: SchedulerLike;
  /** Told each time a message enters the queue (the connection schedules a flush). */
  readonly onQueued: () => void;
  /**
   * The connection's share of the process's memory budget: a message is queued only if its
   * bytes can be reserved from it, and they are given back by {@link ChannelSender.sent}.
   */
  readonly memory?: BudgetAccount;
  /**
   * The connection's send buffer, shared by its channels: bytes of messages held by
   * {@link ChannelSender.hold} until their queue has room, at most `limit`.
   */
  readonly buffer: SendBuffer;
}

/** Bytes held for sending by one connection's channels (`sendBufferSize`). */
interface SendBuffer {
  /** Bytes held now. */
  bytes: number;
  /** The most bytes that may be held (`sendBufferSize`). */
  readonly limit: number;
}

interface Waiter {
  readonly message: Uint8Array;
  readonly done: (queued: boolean) => void;
  /** A held message: its bytes are in the send buffer and already drawn from the memory budget. */
  readonly held: boolean;
}

/**
 * One channel's senders: those waiting for room, in order of arrival, and the count of messages
 * refused (`dropped`: `trySend` without room, or a wait that timed out). The connection calls
 * {@link ChannelSender.dequeued} when the scheduler takes a message from the queue,
 * {@link ChannelSender.admit} when memory is given back,
 * {@link ChannelSender.sent} when a message has been cut into packets, and
 * {@link ChannelSender.failWaiting} when it stops accepting messages.
 */
export class ChannelSender {
  /** Messages refused: `trySend` without room, or `queue` waits that timed out. */
  dropped = 0;
  /** Messages pushed to the scheduler and not yet taken to be cut. */
  queued = 0;
  /** Waiting senders, oldest first from `head` (a burst of held messages is long: no `shift()`). */
  private waiters: Waiter[] = [];
  private head = 0;

  constructor(private readonly options: ChannelSenderOptions) {}

  /** True when the queue has room for one more message. */
  get hasRoom(): boolean {
    return this.queued < this.options.capacity;
  }

  /** The scheduler took a message from the queue: waiting messages may take its place. */
  dequeued(): number {
    this.queued--;
    return this.admit();
  }

  /**
   * Queues `message` if there is room now (in the queue, and in the memory budget) and nobody
   * waits before it; else counts a drop.
   */
  trySend(message: Uint8Array): boolean {
    if (this.offer(message)) return true;
    this.dropped++;
    return false;
  }

  /**
   * Emits `true` once `message` is queued (at once if there is room), or `false` when
   * `sendTimeout` passes first (a drop) or the connection stops accepting messages; then
   * completes. Unsubscribing withdraws a message still waiting (not a drop).
   */
  queue(message: Uint8Array): Observable<boolean> {
    return new Observable<boolean>((subscriber) => {
      const answer = (queued: boolean) => {
        subscriber.next(queued);
        subscriber.complete();
      };
      if (this.offer(message)) { answer(true); return; }
      const waiter: Waiter = {
        message,
        held: false,
        done: (queued) => {
          timer.unsubscribe();
          answer(queued);
        },
      };
      this.waiters.push(waiter);
      const timer = this.options.scheduler.schedule(() => {
        this.withdraw(waiter);
        this.dropped++;
        answer(false);
      }, this.options.sendTimeout);
      return () => {
        timer.unsubscribe();
        this.withdraw(waiter);
      };
    });
  }

  /**
   * Queues `message` now if there is room and nobody waits before it; else holds it, in order
   * behind those waiting, until the queue has room — without a time limit, within the send
   * buffer's `limit` and the memory budget (its bytes are drawn at once). `false` when it fits
   * neither (counted as a drop). `onGivenUp` is told if a held message is never queued (the
   * connection stops accepting messages first).
   */
  hold(message: Uint8Array, onGivenUp?: () => void): boolean {
    if (this.offer(message)) return true;
    const buffer = this.options.buffer;
    if (buffer.bytes + message.length > buffer.limit || !this.reserve(message)) {
      this.dropped++;
      return false;
    }
    buffer.bytes += message.length;
    const done = (queued: boolean) => {
      if (!queued) onGivenUp?.();
    };
    this.waiters.push({ message, held: true, done });
    return true;
  }

  /** Moves waiting messages into the queue, in order, while there is room. Returns how many. */
  admit(): number {
    let n = 0;
    while (this.head < this.waiters.length && this.hasRoom && (this.waiters[this.head].held || this.reserve(this.waiters[this.head].message))) {
      const waiter = this.waiters[this.head++];
      if (this.head === this.waiters.length) this.clearWaiters();
      else if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      if (waiter.held) this.options.buffer.bytes -= waiter.message.length;
      this.queued++;
      this.options.push(waiter.message);
      waiter.done(true);
      n++;
    }
    return n;
  }

  /** `message` has been cut into packets: its bytes go back to the memory budget. */
  sent(message: Uint8Array): void {
    this.options.memory?.release(message.length);
  }

  /** Answers `false` to everyone waiting (the connection is closing or has ended). */
  failWaiting(): void {
    const waiting = this.waiters.slice(this.head);
    this.clearWaiters();
    for (const w of waiting) {
      if (w.held) {
        this.options.buffer.bytes -= w.message.length;
        this.options.memory?.release(w.message.length);
      }
      w.done(false);
    }
  }

  private offer(message: Uint8Array): boolean {
    if (this.head < this.waiters.length || !this.hasRoom || !this.reserve(message)) return false;
    this.queued++;
    this.options.push(message);
    this.options.onQueued();
    return true;
  }

  private reserve(message: Uint8Array): boolean {
    return this.options.memory?.tryReserve(message.length) ?? true;
  }

  private withdraw(waiter: Waiter): void {
    const i = this.waiters.indexOf(waiter, this.head);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private clearWaiters(): void {
    this.waiters = [];
    this.head = 0;
  }
}
