/**
 * Observables whose subscribers cannot throw into the caller: what the switch and its peers
 * hand to user code.
 * @module
 */
import { Observable, Subscriber, type Observer, type Operator, type Subscription, type TeardownLogic } from "rxjs";

/**
 * Told of a throw in user code: `error` is what was thrown (or an error notification nobody
 * handled), `value` the value being delivered when it happened, if any.
 */
export type ThrowReport<T> = (error: unknown, value: T | undefined) => void;

/**
 * An Observable that guards its subscribers: a `next`, `error` or `complete` callback that
 * throws, and an error notification reaching a subscriber without an error callback (a throw in
 * a `map` of the user's pipe, say), go to `report` instead of RxJS's unhandled-error path
 * (which rethrows on a timer and ends the process). The guard follows `pipe()`: operators
 * applied to it give guarded observables too, so `guarded.pipe(map(JSON.parse)).subscribe(f)`
 * is covered. Subscribing with a `Subscriber` (what operators and `firstValueFrom` do) passes
 * through unchanged.
 *
 * A `next` that returns a promise (an `async` function) has its rejection reported the same
 * way, with the value it was given: RxJS ignores what `next` returns, so without the guard the
 * rejection would be unhandled and end the process. A subscriber whose `next` threw or
 * rejected stays subscribed (as with RxJS); one that received an error notification has
 * ended, as RxJS says.
 *
 * ```
 * source:     --a--b--c--|
 * subscriber: next throws on b
 * subscriber: --a--b--c--|       report(error, b); the process lives on
 * ```
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    subscribe: ((this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic) | undefined,
    private readonly report: ThrowReport<T>,
    /** The value being delivered right now, if any (to name it in a report). */
    private readonly current: () => T | undefined = () => undefined,
  ) {
    super(subscribe);
  }

  /** Wraps `source`, guarding its subscribers with `report`. */
  static from<T>(source: Observable<T>, report: ThrowReport<T>, current?: () => T | undefined): GuardedObservable<T> {
    return new GuardedObservable<T>((subscriber) => source.subscribe(subscriber), report, current);
  }

  /**
   * Operators applied to a guarded observable give a guarded observable. This is how RxJS's own
   * `Subject` keeps its kind through `pipe()`; `lift`, `source` and `operator` are marked
   * internal in RxJS 7 and are what every operator goes through.
   */
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const current = this.current;
    const lifted = new GuardedObservable<R>(undefined, this.report as ThrowReport<unknown>, current as () => R | undefined);
    /* eslint-disable @typescript-eslint/no-deprecated -- see above */
    lifted.source = this;
    lifted.operator = operator;
    /* eslint-enable @typescript-eslint/no-deprecated */
    return lifted;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext as Subscriber<T>);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === "function" || observerOrNext === null || observerOrNext === undefined
        ? { ...(observerOrNext ? { next: observerOrNext } : {}), ...(error ? { error } : {}), ...(complete ? { complete } : {}) }
        : observerOrNext;
    const report = this.report;
    const current = this.current;
    return super.subscribe({
      next: (value) => {
        try {
          // An async `next` returns a promise RxJS ignores: its rejection is reported as a throw.
          const returned: unknown = observer.next?.call(observer, value);
          if (isThenable(returned)) returned.then(undefined, (err: unknown) => report(err, value));
        } catch (err) {
          report(err, value);
        }
      },
      error: (err: unknown) => {
        if (observer.error === undefined) { report(err, current()); return; }
        try {
          observer.error.call(observer, err);
        } catch (thrown) {
          report(thrown, current());
        }
      },
      complete: () => {
        try {
          observer.complete?.call(observer);
        } catch (err) {
          report(err, undefined);
        }
      },
    });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
