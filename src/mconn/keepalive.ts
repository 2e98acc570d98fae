import { asyncScheduler, concat, defer, EMPTY, Observable, of, repeat, throwError, timeout, timer, type OperatorFunction, type SchedulerLike } from "rxjs";
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
 * Built from `timer` and `timeout`: one `timer` at a time, set for what is left of
 * `pingInterval` since the last arrival, then the ping, then `timeout` on the first arrival after
 * it. An arrival only records its time (and, after a ping, ends the wait), so an idle connection
 * holds one timer and no subscription per packet.
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
      /** Arrivals so far: one during a ping's `next()` already answers it. */
      let arrivals = 0;
      let signOfLife: (() => void) | undefined;
      // After a ping: the first arrival, within `pongTimeout`.
      const awaitSignOfLife = (since: number) =>
        new Observable<never>((wait) => {
          if (arrivals !== since) wait.complete();
          else signOfLife = () => wait.complete();
          return () => (signOfLife = undefined);
        }).pipe(timeout({ first: pongTimeout, scheduler, with: () => throwError(() => new PongTimeoutError(pongTimeout)) }));
      // A ping once `pingInterval` has passed since the last arrival, then the wait for a sign of
      // life; between rounds, a `timer` for what is left of `pingInterval` since the last arrival
      // (a round that finds something arrived meanwhile pings nothing and waits the rest, as
      // debounceTime re-arms).
      const round = defer(() => {
        if (scheduler.now() - lastReceived < pingInterval) return EMPTY;
        const since = arrivals;
        return concat(of("ping" as const), awaitSignOfLife(since));
      });
      const cycle = round.pipe(repeat({ delay: () => timer(Math.max(0, pingInterval - (scheduler.now() - lastReceived)), scheduler) }));
      const reading = received$.subscribe({
        next: () => {
          lastReceived = scheduler.now();
          arrivals++;
          signOfLife?.();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      if (!subscriber.closed) reading.add(cycle.subscribe(subscriber));
      return reading;
    });
}
