/**
 * The simulation's clock: a `SchedulerLike` in virtual milliseconds, its actions in a binary
 * heap ordered by due time, then by the order they were scheduled (so one run is one order of
 * events). {@link VirtualClock.runUntil} runs every action due at the current instant, lets the
 * process drain its promise continuations (the Switch's dials and handshakes are `async`), and
 * moves time on only when nothing is left to do at this instant: time never advances while the
 * code under test still has work to do now.
 * @module
 */
import { Subscription, type SchedulerAction, type SchedulerLike } from "rxjs";

interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly action: ClockAction<unknown>;
  readonly generation: number;
}

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  generation = 0;
  pending = false;
  private state: T | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.generation++;
    this.pending = true;
    this.clock.enqueue(this as ClockAction<unknown>, delay);
    return this;
  }

  /** Runs the work once (when still scheduled for this generation). */
  execute(generation: number): void {
    if (this.closed || generation !== this.generation || !this.pending) return;
    this.pending = false;
    this.work.call(this, this.state);
  }
}

/** Resolves once the process has run every microtask queued before it (a macrotask hop). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** See the module doc. */
export class VirtualClock implements SchedulerLike {
  private time = 0;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private failure: { error: unknown } | undefined;
  /** Actions run so far (for the report and benchmarks). */
  actionsRun = 0;
  /** Distinct instants time stopped at. */
  instants = 0;

  /** The current virtual time in ms (0 at the start). */
  now(): number {
    return this.time;
  }

  /** Schedules `work` `delay` virtual ms from now (after everything already due then). */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ClockAction<T>(this, work).schedule(state, delay);
  }

  /** @internal */
  enqueue(action: ClockAction<unknown>, delay: number): void {
    const d = Number.isFinite(delay) && delay > 0 ? delay : 0;
    this.push({ due: this.time + d, seq: this.seq++, action, generation: action.generation });
  }

  /**
   * Runs until virtual time `end` (ms): every action due up to it, with the promise work they
   * start; stops at `end` even if more is scheduled later. An action that throws stops the run:
   * the returned promise rejects with what it threw.
   */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      this.runDue();
      await settle();
      if (this.failure !== undefined) {
        const { error } = this.failure;
        this.failure = undefined;
        throw error;
      }
      const next = this.peekDue();
      if (next !== undefined && next <= this.time) continue;
      if (next === undefined || next > end) {
        this.time = Math.max(this.time, end);
        return;
      }
      this.time = next;
      this.instants++;
    }
  }

  /** The due time of the next live action, dropping cancelled ones. */
  private peekDue(): number | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0];
      if (!top.action.closed && top.generation === top.action.generation && top.action.pending) return top.due;
      this.pop();
    }
    return undefined;
  }

  private runDue(): void {
    const h = this.heap;
    while (h.length > 0 && h[0].due <= this.time) {
      const e = this.pop();
      if (e === undefined) break;
      this.actionsRun++;
      try {
        e.action.execute(e.generation);
      } catch (error) {
        this.failure ??= { error };
        return;
      }
    }
  }

  private less(x: Entry, y: Entry): boolean {
    return x.due < y.due || (x.due === y.due && x.seq < y.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(e, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
    return top;
  }
}
