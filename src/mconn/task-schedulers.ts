/**
 * `SchedulerLike`s on Node's task queues, for the connection's flushes: {@link microtaskScheduler}
 * (the first flush of a turn) and {@link immediateScheduler} (`setImmediate`: a macrotask, after
 * the I/O of the turn, without the 1 ms floor of `asyncScheduler`'s timers). A delay runs on a
 * timer. Each scheduled work costs one object and no closure, since a busy connection schedules
 * a flush for every turn it writes in (`asapScheduler` makes several per work). Inside
 * `TestScheduler.run` both follow virtual time, as RxJS's own schedulers do.
 * @module
 */
import { asapScheduler, asyncScheduler, Subscription, type SchedulerAction, type SchedulerLike } from "rxjs";

/**
 * A queue of Node's: `queue` runs `fire(action)` later and returns a handle for `cancel` (none: a
 * queued run cannot be taken back).
 */
interface TaskQueue {
  queue(action: TaskAction<unknown>): unknown;
  cancel?(handle: unknown): void;
}

const fire = (action: TaskAction<unknown>) => action.fire();

/** Work scheduled on a {@link TaskQueue}, or after a delay on a timer; cancelled by `unsubscribe`. */
class TaskAction<T> extends Subscription implements SchedulerAction<T> {
  /** The pending run's handle (the queue's or the timer's), `undefined` when none is. */
  private handle: unknown;
  private timed?: boolean;
  private state: T | undefined;
  /** In `due`, not yet run. */
  queued?: boolean;

  constructor(
    private readonly tasks: TaskQueue,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    this.state = state;
    this.timed = delay > 0;
    // The queues hold actions of any state type; `fire` reads this action's own.
    this.handle = this.timed ? setTimeout(fire, delay, this as TaskAction<unknown>) : this.tasks.queue(this as TaskAction<unknown>);
    return this;
  }

  /** Runs the work unless cancelled meanwhile; closes the action unless the work rescheduled it. */
  fire(): void {
    this.queued = false;
    if (this.handle === undefined || this.closed) return;
    this.handle = undefined;
    this.work.call(this, this.state);
    if (this.handle === undefined) this.unsubscribe();
  }

  override unsubscribe(): void {
    this.cancel();
    super.unsubscribe();
  }

  private cancel(): void {
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    if (this.timed) clearTimeout(handle as NodeJS.Timeout);
    else this.tasks.cancel?.(handle);
  }
}

/** A scheduler running work on `tasks`, or on `virtual` inside `TestScheduler.run` (virtual clock). */
function taskScheduler(tasks: TaskQueue, virtual: SchedulerLike): SchedulerLike {
  return {
    now: () => asyncScheduler.now(),
    schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription =>
      Math.abs(asyncScheduler.now() - Date.now()) > 1e9 ? virtual.schedule(work, delay, state) : new TaskAction(tasks, work).schedule(state, delay),
  };
}

/**
 * Runs work on the next turn of the event loop (`setImmediate`; `setTimeout` for a delay).
 *
 * @example
 * new MConnection(duplex, { channels, yieldScheduler: immediateScheduler });
 */
export const immediateScheduler: SchedulerLike = taskScheduler({ queue: (action) => setImmediate(fire, action), cancel: clearImmediate }, asyncScheduler);

/**
 * Actions due on microtasks: one microtask (a resolved promise's reaction, lighter than
 * `queueMicrotask`'s wrapper) runs, in order, those due when it starts; any scheduled meanwhile
 * wait for the next one, as with `asapScheduler`, so work that keeps rescheduling itself cannot
 * hold the microtask queue. Scheduled again before it runs, an action stays queued once. A
 * cancelled one, which a microtask cannot take back, finds its handle cleared.
 */
const due: TaskAction<unknown>[] = [];
const resolved = Promise.resolve();
function runDue(): void {
  const n = due.length;
  let i = 0;
  try {
    for (; i < n; i++) due[i].fire();
  } finally {
    due.splice(0, Math.min(i + 1, n)); // a work that threw leaves the rest to the next microtask
    if (due.length > 0) void resolved.then(runDue);
  }
}

/**
 * Runs work on a microtask, as `asapScheduler` does (`setTimeout` for a delay).
 *
 * @example
 * new MConnection(duplex, { channels, flushScheduler: microtaskScheduler });
 */
export const microtaskScheduler: SchedulerLike = taskScheduler(
  {
    queue: (action) => {
      if (!action.queued) {
        action.queued = true;
        if (due.push(action) === 1) void resolved.then(runDue);
      }
      return true;
    },
  },
  asapScheduler,
);
