/**
 * Observables whose subscribers cannot throw into the caller: what the switch and its peers
 * hand to user code.
 * @module
 */
import { Observable, Subscriber, type Observer, type OperatorFunction, type Subscription, type TeardownLogic } from "rxjs";

/**
 * Told of a throw in user code: `error` is what was thrown (or an error notification nobody
 * handled), `value` the value being delivered when it happened, if any.
 */
export type ThrowReport<T> = (error: unknown, value: T | undefined) => void;

/**
 * An Observable that guards its subscribers: a `next`, `error` or `complete` callback that
 * throws, and an error notification reaching a subscriber without an error callback (a throw in
 * a `map` of the user's pipe, say), go to `report` instead of RxJS's unhandled-error path
 * (which rethrows on a timer and ends the process). The guard follows `pipe()`: the operators
 * apply to the stream as it is and their result is guarded again, so
 * `guarded.pipe(map(JSON.parse)).subscribe(f)` is covered. Subscribing with a `Subscriber` (what
 * operators and `firstValueFrom` do) passes through unchanged. Built from public RxJS only: a
 * subscribe function over `source.subscribe({ next, error, complete })`, and `pipe` applying
 * the operator functions in turn, as RxJS's own `pipe` does.
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

  /**
   * Wraps `source`, guarding its subscribers with `report`. Typed as an `Observable`, so that
   * `pipe` keeps RxJS's typed overloads for callers.
   */
  static from<T>(source: Observable<T>, report: ThrowReport<T>, current?: () => T | undefined): Observable<T> {
    return new GuardedObservable<T>((subscriber) => source.subscribe(subscriber), report, current);
  }

  /**
   * Operators applied to a guarded observable give a guarded observable: each operator function
   * is applied in turn (the operators subscribe with their own `Subscriber`s, which pass through
   * unguarded), and the result is wrapped with the same `report`. The signature is
   * `Observable.pipe`'s own implementation signature: its typed overloads still apply to callers.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Observable.pipe's implementation signature, which every overload of it must match
  override pipe(...operations: OperatorFunction<any, any>[]): Observable<any> {
    const result = operations.reduce<Observable<unknown>>((piped, operation) => operation(piped) as Observable<unknown>, this);
    return new GuardedObservable<unknown>((subscriber) => result.subscribe(subscriber), this.report as ThrowReport<unknown>, this.current);
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
