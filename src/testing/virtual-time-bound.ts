/**
 * The bound on virtual time of the testing kit: a test whose connections are still scheduling
 * work when virtual time reaches the bound fails with {@link VirtualTimeExceededError}, naming
 * that work, instead of running `TestScheduler.run` (synchronous, so out of reach of a test
 * runner's timeout) forever.
 * @module
 */
import { VirtualTimeScheduler, type SchedulerLike } from "rxjs";
import { ConfigError, MConnError } from "../error-base.js";
import type { PendingAction, TrackedScheduler } from "./tracked-scheduler.js";

/**
 * How much virtual time (ms; frames inside `TestScheduler.run`) the testing kit's helpers let a
 * test run from the moment they are called: one virtual hour.
 */
export const DEFAULT_MAX_FRAMES = 3_600_000;

/**
 * Virtual time reached the testing kit's bound (`maxFrames`) while connections it made still had
 * work scheduled — typically keepalive pings of a connection the test never closed. Thrown out of
 * the scheduler's `flush` (so out of `TestScheduler.run`), which then cancels every action left.
 */
export class VirtualTimeExceededError extends MConnError {
  declare readonly reason: "virtual-time-exceeded";
  constructor(
    /** The bound, in virtual ms from the helper's call. */
    readonly maxFrames: number,
    /** The scheduler's time when the bound was reached. */
    readonly frame: number,
    /** What was still scheduled, soonest first, each with who scheduled it and when it was due. */
    readonly pending: readonly PendingAction[],
  ) {
    const byLabel = new Map<string, number[]>();
    for (const p of pending) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p.due]);
    const list = [...byLabel].map(([label, due]) => `${label} (${due.length === 1 ? "1 action" : `${due.length} actions`}, the next due at ${due[0]})`).join("; ");
    super(
      "virtual-time-exceeded",
      `virtual time reached ${frame}, ${maxFrames} ms after the pair was made (its maxFrames), with work still scheduled: ${list}. ` +
        "Close each connection (one end is enough) before the bound, or raise maxFrames.",
    );
  }
}

/**
 * When `scheduler` is a `VirtualTimeScheduler` (a `TestScheduler` is one), schedules the check
 * at `maxFrames` from now: if any of `trackers` still has work then, it throws
 * {@link VirtualTimeExceededError}. On a real-time scheduler it does nothing (a test runner's
 * timeout applies there).
 */
export function boundVirtualTime(scheduler: SchedulerLike, maxFrames: number, trackers: readonly TrackedScheduler[]): void {
  if (!(scheduler instanceof VirtualTimeScheduler)) return;
  if (!(maxFrames > 0)) throw new ConfigError(`maxFrames must be a positive number of virtual ms, not ${maxFrames}`);
  if (!Number.isFinite(maxFrames)) return;
  scheduler.schedule(() => {
    const pending = trackers.flatMap((t) => t.pending);
    if (pending.length > 0) throw new VirtualTimeExceededError(maxFrames, scheduler.now(), pending);
  }, maxFrames);
}
