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
 * The peer's pings allowed so far: a token bucket of `burst` pings refilled at `perSecond`, read
 * off the scheduler's clock (no timers). {@link limitPingRate} is it as an operator; MConnection's
 * inbound path takes from it directly.
 */
export class PingAllowance {
  private tokens: number;
  private at: number;
  private readonly scheduler: SchedulerLike;

  constructor(private readonly options: PingRateOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.tokens = options.burst;
    this.at = this.scheduler.now();
  }

  /** Takes one ping; the {@link PingFloodError} for the first beyond the allowance. */
  take(): PingFloodError | undefined {
    const { burst, perSecond } = this.options;
    const now = this.scheduler.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) * perSecond) / 1000);
    this.at = now;
    if (this.tokens < 1) return new PingFloodError(`${burst} at once, ${perSecond} per second`);
    this.tokens -= 1;
    return undefined;
  }
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
  return (source) =>
    new Observable<T>((subscriber) => {
      const allowance = new PingAllowance(options);
      return source.subscribe({
        next: (value) => {
          const flood = allowance.take();
          if (flood === undefined) subscriber.next(value);
          else subscriber.error(flood);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
