/**
 * Pull-based consumption of a switch channel: an async iterator whose bounded buffer pushes
 * back on the peers over TCP when the consumer is slower than they are.
 * @module
 */
import type { Observable, Subscription } from "rxjs";
import { ConfigError } from "../error-base.js";
import type { Peer } from "./peer.js";
import type { Envelope } from "./reactor.js";

/** Options of `switch.channel(id).messages()`. */
export interface PullOptions {
  /**
   * Messages buffered before the peers that send them stop being read (default
   * {@link defaultHighWaterMark}). Reading resumes once the consumer has taken the buffer down
   * to half of this.
   */
  readonly highWaterMark?: number;
}

/** What `channel(id).messages()` returns: an async iterator of envelopes. */
export interface MessageIterator<T> extends AsyncIterableIterator<Envelope<T>> {
  /** Envelopes received and not yet taken. */
  readonly buffered: number;
}

/** The default `highWaterMark` of `channel(id).messages()`: 16 messages. */
export const defaultHighWaterMark = 16;

/**
 * An async iterator over `source`'s envelopes that applies backpressure: when `highWaterMark`
 * envelopes are waiting, each peer that delivers one more has its connection's reading held
 * ({@link MConnection.holdReading}, shared with the rate limit), so its socket stops reading and
 * TCP slows its sending; once the consumer has taken the buffer down to half, every hold is
 * released. Nothing is dropped and order is kept. The buffer holds at most `highWaterMark`
 * envelopes plus, per peer, what was decoded from the socket read in progress when the hold was
 * taken (one read: at most 64 KiB of wire bytes). Ends when `source` completes (after the
 * buffer is drained); `return()` (a `break` out of `for await`) unsubscribes and releases.
 *
 * ```
 * source:   a b c d e f ...          highWaterMark 4
 * buffer:   a ab abc abcd            4 waiting: the peer of d is held (its socket paused)
 * consumer: takes a, b               2 left (half): released, reading resumes
 * ```
 * @throws {ConfigError} when `highWaterMark` is not a positive integer.
 */
export function pullMessages<T>(source: Observable<Envelope<T>>, options: PullOptions = {}): MessageIterator<T> {
  const highWaterMark = options.highWaterMark ?? defaultHighWaterMark;
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1)
    throw new ConfigError(`highWaterMark must be a positive integer (got ${String(highWaterMark)}).`);
  const lowWaterMark = Math.floor(highWaterMark / 2);
  const buffer: Envelope<T>[] = [];
  const holds = new Map<Peer, () => void>();
  /** `next()` calls not yet answered, oldest first (the protocol allows several at once). */
  const waiting: ((r: IteratorResult<Envelope<T>>) => void)[] = [];
  let done = false;

  const releaseAll = () => {
    for (const release of holds.values()) release();
    holds.clear();
  };
  const finish = (): IteratorResult<Envelope<T>> => ({ done: true, value: undefined });
  const finishWaiting = () => {
    for (const resolve of waiting.splice(0)) resolve(finish());
  };

  const subscription: Subscription = source.subscribe({
    next: (envelope) => {
      const resolve = waiting.shift();
      if (resolve !== undefined) {
        resolve({ done: false, value: envelope });
        return;
      }
      buffer.push(envelope);
      const { peer } = envelope;
      if (buffer.length >= highWaterMark && !holds.has(peer) && peer.isRunning) holds.set(peer, peer.connection.holdReading());
    },
    complete: () => {
      done = true;
      releaseAll();
      finishWaiting();
    },
  });

  const iterator: MessageIterator<T> = {
    get buffered() {
      return buffer.length;
    },
    next(): Promise<IteratorResult<Envelope<T>>> {
      const value = buffer.shift();
      if (value !== undefined) {
        if (buffer.length <= lowWaterMark) releaseAll();
        return Promise.resolve({ done: false, value });
      }
      if (done) return Promise.resolve(finish());
      return new Promise((resolve) => waiting.push(resolve));
    },
    return(): Promise<IteratorResult<Envelope<T>>> {
      done = true;
      subscription.unsubscribe();
      buffer.length = 0;
      releaseAll();
      finishWaiting();
      return Promise.resolve(finish());
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
