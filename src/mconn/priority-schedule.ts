import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from "rxjs";
import { packetWireSize, type MsgPacket } from "../wire/packet.js";
import type { OutboundChannel } from "./outbound-channel.js";

/** Options of {@link prioritySchedule}. */
export interface PriorityScheduleOptions {
  /** Most packets per batch (CometBFT: 10). */
  readonly batchSize: number;
  /** Period of the `recentlySent` decay in ms (CometBFT: 2000). */
  readonly decayPeriod: number;
  /** Factor applied each period (CometBFT: 0.8). */
  readonly decayFactor: number;
  /** Clock for the decay. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Told when a message leaves a channel's queue (there is room for another). */
  readonly onDequeue?: (channel: OutboundChannel) => void;
}

/**
 * The outbound multiplexer. Each value from the source is a pull: it answers with one batch of
 * up to `batchSize` packets, each taken from the channel with the lowest
 * `recentlySent / priority` (ties go to the channel declared first), and adds the packet's wire
 * size to that channel's `recentlySent`. An empty batch means every queue is empty.
 * `recentlySent` decays by `decayFactor` every `decayPeriod` of the scheduler's clock (applied
 * when the next batch is cut, so an idle connection holds no timer).
 *
 * ```
 * channels: A (priority 1) and B (priority 2), both full, 1 packet per batch
 * pulls:    -p-p-p-p-p-p-|
 * prioritySchedule({ batchSize: 1, ... })
 * batches:  -b-a-b-b-a-b-|   (B gets twice A's bytes)
 * ```
 *
 * @example
 * const pulls = new Subject<void>();
 * pulls.pipe(prioritySchedule(channels, { batchSize: 10, decayPeriod: 2000, decayFactor: 0.8 }))
 *   .subscribe((batch) => writer.write(encodeBatch(batch)));
 * pulls.next(); // cut one batch
 */
export function prioritySchedule(
  channels: readonly OutboundChannel[],
  options: PriorityScheduleOptions,
): OperatorFunction<unknown, MsgPacket[]> {
  const { batchSize, decayPeriod, decayFactor, onDequeue } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<MsgPacket[]>((subscriber) => {
      let decayedAt = scheduler.now();
      const decay = () => {
        const periods = Math.floor((scheduler.now() - decayedAt) / decayPeriod);
        if (periods <= 0) return;
        decayedAt += periods * decayPeriod;
        const factor = decayFactor ** periods;
        for (const ch of channels) ch.recentlySent = Math.floor(ch.recentlySent * factor);
      };
      return source.subscribe({
        next: () => {
          decay();
          const batch: MsgPacket[] = [];
          while (batch.length < batchSize) {
            const ch = selectChannel(channels);
            if (ch === undefined) break;
            const packet = ch.nextPacket(onDequeue)!;
            ch.recentlySent += packetWireSize(packet);
            batch.push(packet);
          }
          subscriber.next(batch);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** The channel with something to send and the lowest `recentlySent / priority`; first wins ties. */
export function selectChannel(channels: readonly OutboundChannel[]): OutboundChannel | undefined {
  let best: OutboundChannel | undefined;
  let bestRatio = Infinity;
  for (const ch of channels) {
    if (!ch.hasPending) continue;
    const ratio = ch.recentlySent / ch.priority;
    if (ratio < bestRatio || best === undefined) {
      best = ch;
      bestRatio = ratio;
    }
  }
  return best;
}
