import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from "rxjs";
import { PingFloodError } from "./errors.js";

/** Options of {@link limitPingRate}. */
export interface PingRateOptions {
  /** Pings allowed at once. */
  readonly burst: number;
  /** Pings per second allowed over time. */
  readonly perSecond: number;
  /** Clock. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Passes the peer's pings through while they stay within a token bucket (`burst` at once,
 * `perSecond` sustained) and errors with {@link PingFloodError} on the first one beyond it.
 * Uses only the scheduler's clock: no timers.
 *
 * ```
 * burst 2, perSecond 1 (1 frame = 100 ms)
 * pings:  -aa--------b-cd-|
 * limitPingRate
 * result: -aa--------b-c#      (d comes too soon after c)
 * ```
 */
export function limitPingRate<T>(options: PingRateOptions): MonoTypeOperatorFunction<T> {
  const { burst, perSecond } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T>((subscriber) => {
      let tokens = burst;
      let at = scheduler.now();
      return source.subscribe({
        next: (value) => {
          const now = scheduler.now();
          tokens = Math.min(burst, tokens + ((now - at) * perSecond) / 1000);
          at = now;
          if (tokens < 1) {
            subscriber.error(new PingFloodError(`${burst} at once, ${perSecond} per second`));
            return;
          }
          tokens -= 1;
          subscriber.next(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
