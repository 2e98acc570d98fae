import { asyncScheduler, Observable, throwError, timeout, timer, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
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
 * holds one timer and no subscription per packet; a round subscribes its `timer` (and, after a
 * ping, the wait, made once) and nothing else.
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
      /** Arrivals when the last ping was emitted. */
      let pingedAt = 0;
      let signOfLife: (() => void) | undefined;
      /** The round's timer, or the wait for a sign of life after a ping. */
      let round: Subscription | undefined;
      // After a ping: the first arrival, within `pongTimeout`. Made once, subscribed per ping.
      const awaitSignOfLife = new Observable<never>((wait) => {
        if (arrivals !== pingedAt) wait.complete();
        else signOfLife = () => wait.complete();
        return () => (signOfLife = undefined);
      }).pipe(timeout({ first: pongTimeout, scheduler, with: () => throwError(() => new PongTimeoutError(pongTimeout)) }));
      // A `timer` for what is left of `pingInterval` since the last arrival; when it fires, a
      // ping if nothing arrived meanwhile (else the timer for the rest, as debounceTime
      // re-arms), then the wait for a sign of life, then the next round.
      const check = (): void => {
        round = undefined;
        const idle = scheduler.now() - lastReceived;
        if (idle < pingInterval) {
          hold(timer(pingInterval - idle, scheduler).subscribe(check));
          return;
        }
        pingedAt = arrivals;
        subscriber.next("ping");
        if (!subscriber.closed) hold(awaitSignOfLife.subscribe(waiting));
      };
      // A round that ended inside its own subscribe (a sign of life during the ping) has
      // started the next one already: that one is held.
      const hold = (s: Subscription) => {
        if (!s.closed) round = s;
      };
      const waiting = { error: (err: unknown) => subscriber.error(err), complete: check };
      const reading = received$.subscribe({
        next: () => {
          lastReceived = scheduler.now();
          arrivals++;
          signOfLife?.();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      if (!subscriber.closed) check();
      return () => {
        reading.unsubscribe();
        round?.unsubscribe();
      };
    });
}
