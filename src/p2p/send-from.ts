/**
 * Sending a stream to a peer with the peer's lifetime: the source is unsubscribed when the peer
 * ends, its error is reported, and messages wait for room in the channel's queue instead of
 * piling up.
 * @module
 */
import { isObservable, Subscription, type Observable } from "rxjs";

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
  /**
   * Messages of an Observable source held while waiting for room (default 16); a message beyond
   * them is given to `onOverflow`. Iterables are pulled one message at a time and never overflow.
   */
  readonly maxPending?: number;
  /** A message that could not be held (see `maxPending`), or that was pending when the peer ended. */
  readonly onDrop: (message: Uint8Array, why: "queue-full" | "not-running") => void;
  /** The source failed; it is unsubscribed. */
  readonly onError: (error: unknown) => void;
}

/** Default of {@link SendFromOptions.maxPending}. */
const SEND_FROM_MAX_PENDING = 16;

/**
 * Sends every message of `source` on `channelId` of `target`, each waiting for room in the
 * channel's queue, for as long as the target runs. An Observable source is subscribed at once
 * and what it pushes while earlier messages wait is held, up to `maxPending`; an (async)
 * iterable is pulled one message at a time, only once the previous one is queued, so it is
 * paced by the peer. The returned Subscription stops the sending; it is closed once the source
 * is done and everything queued, when the source errors, or when the target ends.
 *
 * Never recurses synchronously: a wait resumes from the queue's answer (a later turn).
 */
export function sendFrom(
  target: SendTarget,
  source: Observable<Uint8Array> | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  channelId: number,
  options: SendFromOptions,
): Subscription {
  const maxPending = options.maxPending ?? SEND_FROM_MAX_PENDING;
  const pending: Uint8Array[] = [];
  const sending = new Subscription();
  let sourceDone = false;
  let waiting: Subscription | undefined;
  let pumping = false;
  /** Set for an iterable source: asks it for the next message. */
  const source$ = { pull: undefined as (() => void) | undefined };

  const finish = () => {
    for (const m of pending.splice(0)) options.onDrop(m, "not-running");
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
  if (isObservable(source)) {
    sending.add(
      source.subscribe({
        next: (m) => {
          if (pending.length >= maxPending) { options.onDrop(m, "queue-full"); return; }
          pending.push(m);
          pump();
        },
        error: (err: unknown) => {
          options.onError(err);
          finish();
        },
        complete: () => {
          sourceDone = true;
          if (pending.length === 0) sending.unsubscribe();
        },
      }),
    );
    return sending;
  }
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
