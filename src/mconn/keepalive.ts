import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  EMPTY,
  endWith,
  ignoreElements,
  merge,
  of,
  repeat,
  share,
  take,
  takeUntil,
  tap,
  throwError,
  timeout,
  timer,
  type OperatorFunction,
  type SchedulerLike,
} from "rxjs";
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
 * One timer at a time: an arrival only records a timestamp; when the idle `timer` fires after
 * something arrived meanwhile, it is re-armed for the time remaining. The wait after a ping is
 * the `timeout` operator on the next arrival.
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
    defer(() => {
      let lastReceived = scheduler.now();
      const idleFor = () => scheduler.now() - lastReceived;
      const arrivals$ = received$.pipe(
        tap(() => {
          lastReceived = scheduler.now();
        }),
        share(),
      );
      const awaitSignOfLife$ = arrivals$.pipe(
        take(1),
        timeout({ first: pongTimeout, scheduler, with: () => throwError(() => new PongTimeoutError(pongTimeout)) }),
        ignoreElements(),
      );
      const cycle$ = defer(() => timer(Math.max(0, pingInterval - idleFor()), scheduler)).pipe(
        concatMap(() => (idleFor() < pingInterval ? EMPTY : concat(of("ping" as const), awaitSignOfLife$))),
        repeat(),
      );
      const ended$ = arrivals$.pipe(ignoreElements(), endWith(true));
      return merge(cycle$.pipe(takeUntil(ended$)), arrivals$.pipe(ignoreElements()));
    });
}
