/**
 * The step of the outbound scheduler: {@link batchCutter} returns `nextBatch()`, which cuts the
 * next batch of packets from the channels' queues by priority (CometBFT's rule). The operator
 * {@link scheduleOutbound} calls it until a demand is met.
 * @module
 */
import { asyncScheduler, type SchedulerLike } from "rxjs";
import { packetWireSize, type MsgPacket } from "../wire/packet.js";
import type { OutboundChannel } from "./outbound-channel.js";
import type { scheduleOutbound } from "./schedule-outbound.js";

/** Options of {@link batchCutter}. */
export interface BatchOptions {
  /** Most packets per batch (CometBFT: 10). */
  readonly batchSize: number;
  /** Period of the `recentlySent` decay in ms (CometBFT: 2000). */
  readonly decayPeriod: number;
  /** Factor applied each period (CometBFT: 0.8). */
  readonly decayFactor: number;
  /** Clock for the decay. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * The clock's time the decay periods count from (the channels' `recentlySent` is taken as
   * decayed up to it). Default: now, when `batchCutter` is called.
   */
  readonly decayFrom?: number;
  /** Told when a message leaves a channel's queue (there is room for another). */
  readonly onDequeue?: (channel: OutboundChannel) => void;
}

/**
 * Returns `nextBatch()`: each call cuts up to `batchSize` packets, each from the channel with
 * the lowest `recentlySent / priority` (ties go to the channel declared first), and adds the
 * packet's wire size to that channel's `recentlySent`. An empty batch means every queue is
 * empty. `recentlySent` decays by `decayFactor` every `decayPeriod` of the scheduler's clock,
 * applied when the next batch is cut (an idle connection holds no timer).
 *
 * @example
 * const nextBatch = batchCutter(channels, { batchSize: 10, decayPeriod: 2000, decayFactor: 0.8 });
 * for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) write(encodeBatch(batch));
 */
export function batchCutter(channels: readonly OutboundChannel[], options: BatchOptions): () => MsgPacket[] {
  const { batchSize, decayPeriod, decayFactor, onDequeue } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  let decayedAt = options.decayFrom ?? scheduler.now();
  const decay = () => {
    const periods = Math.floor((scheduler.now() - decayedAt) / decayPeriod);
    if (periods <= 0) return;
    decayedAt += periods * decayPeriod;
    const factor = decayFactor ** periods;
    for (const ch of channels) ch.recentlySent = Math.floor(ch.recentlySent * factor);
  };
  return () => {
    decay();
    const batch: MsgPacket[] = [];
    while (batch.length < batchSize) {
      const ch = selectChannel(channels);
      if (ch === undefined) break;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- ch was chosen because it has a packet pending
      const packet = ch.nextPacket(onDequeue)!;
      ch.recentlySent += packetWireSize(packet);
      batch.push(packet);
    }
    return batch;
  };
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
