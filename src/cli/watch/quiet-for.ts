/**
 * `quietFor`: says when a stream has gone quiet, so that a tool watching it can say so and stop
 * rather than wait on in silence.
 */
import { asyncScheduler, map, startWith, switchMap, take, timer, type OperatorFunction, type SchedulerLike } from "rxjs";

/**
 * Emits `ms` once, then completes, when the source has emitted nothing for `ms` milliseconds:
 * since subscription, or since its last value (a source that completes stays quiet).
 * Errors of the source pass through.
 *
 * ```
 * source:          --a--b-------------|
 * quietFor(5):     ----------(5|)          (5 frames after b)
 * ```
 */
export function quietFor<T>(ms: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, number> {
  return (source) =>
    source.pipe(
      map(() => undefined),
      startWith(undefined),
      switchMap(() => timer(ms, scheduler)),
      map(() => ms),
      take(1),
    );
}
