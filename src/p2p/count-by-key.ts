import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";

/** What {@link countByKey} emits: the items of one window, counted by key. */
export interface KeyCounts {
  /** Items in the window. */
  readonly total: number;
  /** Items per key. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Counts items by `keyOf` over windows of `period` ms and emits each window's counts at its end.
 * A window opens with the first item after a quiet spell, so a source at rest arms no timer and
 * emits nothing; whatever the rate of the source, at most one summary leaves per `period`, and
 * memory holds one number per key. On completion the open window's counts are emitted first.
 * A throwing `keyOf` errors the result, as RxJS's own operators do with their callbacks.
 *
 * ```
 * source:  -a-b-a----------a--|
 * countByKey(k => k, 5 frames)
 * result:  ------x------------(y|)    (x = { total 3, a: 2, b: 1 } at frame 6; y = { total 1, a: 1 })
 * ```
 *
 * @example
 * rejected$.pipe(countByKey((f) => f.error.reason, 5000)).subscribe((s) => log.info(s, "refused"));
 */
export function countByKey<T>(keyOf: (item: T) => string, period: number, scheduler: SchedulerLike): OperatorFunction<T, KeyCounts> {
  return (source) =>
    new Observable<KeyCounts>((subscriber) => {
      let counts: Record<string, number> = {};
      let total = 0;
      let timer: Subscription | undefined;
      const emit = () => {
        timer = undefined;
        if (total === 0) return;
        const window = { total, counts };
        counts = {};
        total = 0;
        subscriber.next(window);
      };
      const inner = source.subscribe({
        next: (item) => {
          let key: string;
          try {
            key = keyOf(item);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          counts[key] = (counts[key] ?? 0) + 1;
          total++;
          timer ??= scheduler.schedule(emit, period);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          timer?.unsubscribe();
          emit();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        inner.unsubscribe();
      };
    });
}
