/**
 * Sending an (async) iterable to a peer with the peer's lifetime: pulled one message at a time
 * as the channel's queue takes them, its iterator returned when the peer ends, its error
 * reported. (An Observable source is taken by the peer's `send$` path instead.)
 * @module
 */
import { Subscription, type Observable } from "rxjs";

/** What {@link sendFrom} needs of a peer. */
export interface SendTarget {
  readonly isRunning: boolean;
  /** Queues now if there is room. */
  trySend(channelId: number, message: Uint8Array): boolean;
  /** Waits for room (up to the send timeout): `true` once queued, `false` otherwise. */
  queue(channelId: number, message: Uint8Array): Observable<boolean>;
  /** Ends when the peer ends. */
  readonly ended$: Observable<unknown>;
}

/** Options of {@link sendFrom}. */
export interface SendFromOptions {
  /** A message pulled but not queued: the peer ended, or refused it at once. */
  readonly onDrop: (message: Uint8Array) => void;
  /** The source failed; it is unsubscribed. */
  readonly onError: (error: unknown) => void;
}

/**
 * Sends every message of `source` on `channelId` of `target`, each waiting for room in the
 * channel's queue, for as long as the target runs: the (async) iterable is pulled one message
 * at a time, only once the previous one is queued, so it is paced by the peer. The returned
 * Subscription stops the sending; it is closed once the source is done and everything queued,
 * when the source errors, or when the target ends.
 *
 * Never recurses synchronously: a wait resumes from the queue's answer (a later turn).
 */
export function sendFrom(
  target: SendTarget,
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  channelId: number,
  options: SendFromOptions,
): Subscription {
  const pending: Uint8Array[] = [];
  const sending = new Subscription();
  let sourceDone = false;
  let waiting: Subscription | undefined;
  let pumping = false;
  /** Set for an iterable source: asks it for the next message. */
  const source$ = { pull: undefined as (() => void) | undefined };

  const finish = () => {
    for (const m of pending.splice(0)) options.onDrop(m);
    sending.unsubscribe();
  };
  const pump = (): void => {
    if (pumping || sending.closed) return;
    pumping = true;
    try {
      while (pending.length > 0 && waiting === undefined) {
        if (!target.isRunning) { finish(); return; }
        if (target.trySend(channelId, pending[0])) {
          pending.shift();
          continue;
        }
        let answer: boolean | undefined;
        let sync = true;
        const wait = target.queue(channelId, pending[0]).subscribe((queued) => {
          if (sync) return void (answer = queued);
          waiting = undefined;
          if (queued) pending.shift();
          pump(); // a later turn: the queue answered asynchronously (false: timed out, wait again)
        });
        sync = false;
        if (answer === undefined) waiting = wait;
        else if (answer) pending.shift();
        else { finish(); return; } // refused at once: the peer is closing or lacks the channel
      }
      if (pending.length === 0) {
        if (sourceDone) sending.unsubscribe();
        else source$.pull?.();
      }
    } finally {
      pumping = false;
    }
  };

  sending.add(() => waiting?.unsubscribe());
  sending.add(target.ended$.subscribe(() => finish()));
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source)[Symbol.iterator]();
  let pulling = false;
  source$.pull = () => {
    if (pulling || sending.closed || sourceDone) return;
    pulling = true;
    Promise.resolve()
      .then(() => iterator.next())
      .then(
        (r) => {
          pulling = false;
          if (sending.closed) return;
          if (r.done === true) {
            sourceDone = true;
            if (pending.length === 0) sending.unsubscribe();
            return;
          }
          pending.push(r.value);
          pump();
        },
        (err: unknown) => {
          pulling = false;
          options.onError(err);
          finish();
        },
      );
  };
  sending.add(() => {
    // Lets a generator run its `finally`; its failure there has nobody left to tell.
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => undefined);
  });
  source$.pull();
  return sending;
}
