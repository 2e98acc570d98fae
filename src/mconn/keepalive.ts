import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import { PongTimeoutError } from "./errors.js";

/** Options of {@link keepalive}. */
export interface KeepaliveOptions {
  /** Ping once nothing has been received for this long (ms). */
  readonly pingInterval: number;
  /** After a ping, fail if nothing arrives within this long (ms). */
  readonly pongTimeout: number;
  /** Clock and timers. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Decides when to ping. The source is everything received from the peer (any value counts as a
 * sign of life); the result emits `"ping"` each time nothing has arrived for `pingInterval`, and
 * errors with {@link PongTimeoutError} when nothing arrives within `pongTimeout` after a ping.
 * Completes when the source completes; source errors pass through.
 *
 * One timer at a time, and one subscription: an arrival only records a timestamp (and, after a
 * ping, ends the wait for a sign of life); when the idle timer fires after something arrived
 * meanwhile, it is re-armed for the time remaining, as RxJS's `debounceTime` does. An idle
 * connection holds that timer and nothing else.
 *
 * ```
 * pingInterval 5, pongTimeout 3
 * received: a-------b-------------|
 * keepalive
 * result:   -----p------p--#          (a ping 5 after each arrival; nothing within 3 after the
 *                                      second ping: PongTimeoutError)
 * ```
 *
 * @example
 * packets$.pipe(keepalive({ pingInterval: 60_000, pongTimeout: 45_000 }))
 *   .subscribe({ next: () => sendPing(), error: (e) => close(e) });
 */
export function keepalive(options: KeepaliveOptions): OperatorFunction<unknown, "ping"> {
  const { pingInterval, pongTimeout } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  return (received$) =>
    new Observable<"ping">((subscriber) => {
      let lastReceived = scheduler.now();
      /** A ping went out and nothing has arrived since. */
      let awaiting = false;
      let timer: Subscription | undefined;
      const arm = (delay: number, work: () => void) => {
        timer = scheduler.schedule(work, delay);
      };
      const idle = (): void => {
        const idleFor = scheduler.now() - lastReceived;
        if (idleFor < pingInterval) {
          arm(pingInterval - idleFor, idle);
          return;
        }
        awaiting = true;
        const pinging = timer;
        subscriber.next("ping");
        // Unless the ping was answered at once (an arrival during next() re-armed the idle timer).
        if (!subscriber.closed && timer === pinging) arm(pongTimeout, () => subscriber.error(new PongTimeoutError(pongTimeout)));
      };
      const reading = received$.subscribe({
        next: () => {
          lastReceived = scheduler.now();
          if (!awaiting) return;
          awaiting = false;
          timer?.unsubscribe();
          arm(pingInterval, idle);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      if (!subscriber.closed) arm(pingInterval, idle);
      return () => {
        timer?.unsubscribe();
        reading.unsubscribe();
      };
    });
}
