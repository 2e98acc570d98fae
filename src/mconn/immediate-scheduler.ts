/**
 * A `SchedulerLike` on Node's `setImmediate`: work runs on the next turn of the event loop, after
 * the I/O of this turn — a macrotask, unlike `asapScheduler` (a microtask) and without the 1 ms
 * floor of `asyncScheduler`'s timers. Inside `TestScheduler.run` it follows virtual time, as
 * RxJS's own schedulers do.
 * @module
 */
import { asyncScheduler, Subscription, type SchedulerAction, type SchedulerLike } from "rxjs";

class ImmediateAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.add(() => this.cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    const run = () => {
      this.handle = undefined;
      this.work.call(this, state);
      if (!this.pending()) this.unsubscribe(); // done unless the work rescheduled itself
    };
    this.handle = delay > 0 ? { timeout: setTimeout(run, delay) } : { immediate: setImmediate(run) };
    return this;
  }

  private pending(): boolean {
    return this.handle !== undefined;
  }

  private cancel(): void {
    const handle = this.handle;
    if (handle === undefined) return;
    if ("timeout" in handle) clearTimeout(handle.timeout);
    else clearImmediate(handle.immediate);
    this.handle = undefined;
  }
}

/** True inside `TestScheduler.run`, where RxJS's clock is virtual (frames, not epoch ms). */
const virtualTime = () => Math.abs(asyncScheduler.now() - Date.now()) > 1e9;

/**
 * Runs work on the next turn of the event loop (`setImmediate`; `setTimeout` for a delay).
 *
 * @example
 * new MConnection(duplex, { channels, yieldScheduler: immediateScheduler });
 */
export const immediateScheduler: SchedulerLike = {
  now: () => asyncScheduler.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    if (virtualTime()) return asyncScheduler.schedule(work, delay, state);
    return new ImmediateAction(work).schedule(state, delay);
  },
};
