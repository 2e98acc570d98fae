/**
 * A Subject made on first subscription: what a connection emits to observers that most
 * connections never have (a channel's own `messages$`, `keepalive$`) costs nothing until someone
 * subscribes.
 * @module
 */
import { Observable, Subject } from "rxjs";

/**
 * A multicast stream whose `Subject` is made when `observable$` is first subscribed, and never
 * before: `next()` with no Subject yet is a value nobody observes (as a Subject without
 * observers drops it). Once `complete()` was called, a subscription completes at once (as a
 * completed Subject's does), and no Subject is made for it.
 *
 * ```
 * next:        -a---b---c---|       (complete() at |)
 * observable$: subscribed at 2: ----b---c---|
 *              subscribed after the end:     |
 * ```
 *
 * @example
 * const events = new LazySubject<KeepaliveEvent>();
 * const events$ = events.observable$;
 * if (events.observed) events.next({ type: "ping-sent", at: now }); // nothing built when nobody listens
 */
export class LazySubject<T> {
  /** Subscribing makes the Subject (unless completed). */
  readonly observable$: Observable<T>;
  private subject: Subject<T> | undefined;
  private completed = false;

  constructor() {
    this.observable$ = new Observable<T>((subscriber) => {
      if (this.completed) {
        subscriber.complete();
        return undefined;
      }
      this.subject ??= new Subject<T>();
      return this.subject.subscribe(subscriber);
    });
  }

  /** True while someone is subscribed (so a value to emit is worth building). */
  get observed(): boolean {
    return this.subject?.observed === true;
  }

  /** Emits `value` to the subscribers, if any. */
  next(value: T): void {
    this.subject?.next(value);
  }

  /** Completes the subscribers, and every later subscription at once. */
  complete(): void {
    this.completed = true;
    this.subject?.complete();
  }
}
