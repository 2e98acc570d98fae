/**
 * A scheduler that keeps count of what it still has to run: it hands every action to another
 * scheduler, under a label (`"keepalive and timers of connection a"`), and knows at any time
 * which of them are still due and when — so a test that runs out of virtual time can say what
 * was still scheduled, and by whom.
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from "rxjs";

/** An action still due, as `VirtualTimeExceededError.pending` lists it. */
export interface PendingAction {
  /** Who scheduled it (the tracked scheduler's label). */
  readonly label: string;
  /** When it is due, on the scheduler's clock. */
  readonly due: number;
}

/**
 * Schedules on `inner` and tracks each action from the call that scheduled it (or the
 * `this.schedule` that rescheduled it) until it runs or is unsubscribed.
 */
export class TrackedScheduler implements SchedulerLike {
  private readonly due = new Set<{ readonly label: string; readonly due: number }>();

  constructor(
    private readonly inner: SchedulerLike,
    /** Names this scheduler's actions in {@link TrackedScheduler.pending}. */
    readonly label: string,
  ) {}

  /** The inner scheduler's clock. */
  now(): number {
    return this.inner.now();
  }

  /** The actions scheduled here that have neither run nor been cancelled, soonest first. */
  get pending(): readonly PendingAction[] {
    return [...this.due].sort((x, y) => x.due - y.due);
  }

  /** Schedules `work` on the inner scheduler, tracked until it runs or is unsubscribed. */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const track = (d: number, sub: () => Subscription): Subscription => {
      const entry = { label: this.label, due: this.inner.now() + d };
      this.due.add(entry);
      current = entry;
      const subscription = sub();
      subscription.add(() => this.due.delete(entry));
      return subscription;
    };
    let current: { readonly label: string; readonly due: number } | undefined;
    const pending = this.due;
    const wrapped = function (this: SchedulerAction<T>, s?: T): void {
      if (current !== undefined) pending.delete(current);
      current = undefined;
      // `this.schedule` (a repeating timer's next tick) goes through `track` too.
      const facade = new Proxy(this, {
        get: (target, key) => {
          if (key === "schedule") return (st?: T, d = 0) => track(d, () => target.schedule(st, d));
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      work.call(facade, s);
    };
    return track(delay, () => this.inner.schedule(wrapped, delay, state));
  }
}
