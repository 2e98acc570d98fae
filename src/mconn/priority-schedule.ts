import { defer, map, type OperatorFunction } from "rxjs";
import type { MsgPacket } from "../wire/packet.js";
import { batchCutter, type BatchOptions } from "./next-batch.js";
import type { OutboundChannel } from "./outbound-channel.js";

/** Options of {@link prioritySchedule}: those of {@link batchCutter}. */
export type PriorityScheduleOptions = BatchOptions;

/**
 * {@link batchCutter} as an operator: each value from the source is a pull, answered with the
 * next batch (up to `batchSize` packets, each from the channel with the lowest
 * `recentlySent / priority`; an empty batch when every queue is empty). MConnection calls the
 * function directly from its flush; this form is for code that drives the scheduler with a
 * stream of pulls.
 *
 * ```
 * channels: A (priority 1) and B (priority 2), both full, 1 packet per batch
 * pulls:    -p-p-p-p-p-p-|
 * prioritySchedule({ batchSize: 1, ... })
 * batches:  -a-b-b-a-b-b-|   (B gets twice A's bytes)
 * ```
 *
 * @example
 * const pulls = new Subject<void>();
 * pulls.pipe(prioritySchedule(channels, { batchSize: 10, decayPeriod: 2000, decayFactor: 0.8 }))
 *   .subscribe((batch) => writer.write(encodeBatch(batch)));
 * pulls.next(); // cut one batch
 */
export function prioritySchedule(channels: readonly OutboundChannel[], options: PriorityScheduleOptions): OperatorFunction<unknown, MsgPacket[]> {
  return (pulls) =>
    defer(() => {
      const nextBatch = batchCutter(channels, options);
      return pulls.pipe(map(() => nextBatch()));
    });
}
