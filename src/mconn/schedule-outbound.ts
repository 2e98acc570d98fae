/**
 * The outbound scheduler: one operator that merges the channels' outbound streams into the
 * packets a writer asks for, by CometBFT's rule (the channel with the lowest
 * `recentlySent / priority` goes next).
 * @module
 */
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from "rxjs";
import { packetWireSize, type MsgPacket } from "../wire/packet.js";
import { batchCutter } from "./next-batch.js";
import { OutboundChannel } from "./outbound-channel.js";

/** One channel's outbound side, as {@link scheduleOutbound} takes it. */
export interface OutboundSource {
  readonly id: number;
  /** Its share of the bytes under contention, relative to the other channels' (≥ 1). */
  readonly priority: number;
  /**
   * The messages to send on it, in order. Each is queued by the operator until it has been cut
   * into packets; the source bounds what it pushes (MConnection pushes only while the channel's
   * `sendQueueCapacity` has room, told by `onDequeue`).
   */
  readonly messages$: Observable<Uint8Array>;
}

/** Options of {@link scheduleOutbound}. */
export interface ScheduleOutboundOptions {
  /** Largest `PacketMsg.data` per packet (CometBFT: 1024). */
  readonly maxPacketMsgPayloadSize: number;
  /** Packets cut per step of the choice (CometBFT: 10). */
  readonly batchSize: number;
  /** Period of the `recentlySent` decay in ms (CometBFT: 2000). */
  readonly decayPeriod: number;
  /** Factor applied each period (CometBFT: 0.8). */
  readonly decayFactor: number;
  /** Clock for the decay. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * The clock's time the decay periods count from (a scheduler subscribed after its connection
   * started decays in the same steps as one subscribed at the start). Default: the time of
   * subscription.
   */
  readonly decayFrom?: number;
  /** Told when a message of channel `id` leaves its queue to be cut (room for another). */
  readonly onDequeue?: (id: number) => void;
  /** Told when the last packet of `message` (channel `id`) has been cut. */
  readonly onSent?: (id: number, message: Uint8Array) => void;
  /**
   * Told, at subscription, of each channel's live queue and counters (`queued`, `pendingBytes`,
   * `recentlySent`, `sentBytes`, `sentMessages`), in the order of the sources.
   */
  readonly onChannels?: (channels: readonly OutboundChannel[]) => void;
}

/** What one demand is answered with. */
export interface OutboundBatch {
  /** Packets in the order to write them. */
  readonly packets: MsgPacket[];
  /** Their size on the wire (length prefixes included). */
  readonly bytes: number;
  /** True while some channel still has a packet to send. */
  readonly more: boolean;
}

/**
 * Merges the channels' outbound streams by priority, pulled by a writer's demand. Each value of
 * the source is a demand: the bytes the writer can take now (room in its buffer, the send rate,
 * the pacing window). It is answered at once with an {@link OutboundBatch}: packets cut from the
 * queued messages, `batchSize` at a time, each from the channel with the lowest
 * `recentlySent / priority` (ties to the channel listed first), until the demand is met (the
 * last step may pass it by up to `batchSize` packets) or every queue is empty; an empty batch
 * when nothing is queued. A packet's wire size is added to its channel's `recentlySent`, which
 * decays by `decayFactor` every `decayPeriod` of the scheduler's clock (applied at the next
 * demand: an idle connection holds no timer).
 *
 * A channel that completes has what it queued sent, then leaves; one that errors errors the
 * result, as a throwing `onDequeue`/`onSent` does. The result completes when the demand does,
 * or once every channel has completed and its queue is drained.
 *
 * ```
 * channels: a (priority 1), b (priority 2), both full; one packet per demand
 * demand:   -1-1-1-1-1-1-|
 * scheduleOutbound([a, b], { batchSize: 1, ... })
 * packets:  -a-b-b-a-b-b-|    b gets twice a's bytes
 * ```
 *
 * @example
 * const demand = new Subject<number>();
 * demand.pipe(scheduleOutbound(channels, { maxPacketMsgPayloadSize: 1024, batchSize: 10, decayPeriod: 2000, decayFactor: 0.8 }))
 *   .subscribe(({ packets }) => writer.write(packets));
 * demand.next(65536); // as much as one write buffer holds
 */
export function scheduleOutbound(sources: readonly OutboundSource[], options: ScheduleOutboundOptions): OperatorFunction<number, OutboundBatch> {
  return (demand) =>
    new Observable<OutboundBatch>((subscriber) => {
      const { batchSize, onDequeue, onSent } = options;
      const channels = sources.map(
        (s) =>
          new OutboundChannel(
            { id: s.id, priority: s.priority, sendQueueCapacity: Infinity, recvMessageCapacity: 0 },
            options.maxPacketMsgPayloadSize,
            onSent && ((m) => onSent(s.id, m)),
          ),
      );
      const nextBatch = batchCutter(channels, {
        batchSize,
        decayPeriod: options.decayPeriod,
        decayFactor: options.decayFactor,
        scheduler: options.scheduler ?? asyncScheduler,
        ...(options.decayFrom !== undefined && { decayFrom: options.decayFrom }),
        ...(onDequeue && { onDequeue: (ch: OutboundChannel) => onDequeue(ch.id) }),
      });
      let open = sources.length;
      const pending = () => channels.some((ch) => ch.hasPending);
      const answer = (wanted: number) => {
        const packets: MsgPacket[] = [];
        let bytes = 0;
        while (bytes < wanted) {
          const batch = nextBatch();
          for (const p of batch) {
            packets.push(p);
            bytes += packetWireSize(p);
          }
          if (batch.length < batchSize) break; // every queue is empty
        }
        const more = pending();
        subscriber.next({ packets, bytes, more });
        if (open === 0 && !more) subscriber.complete();
      };
      try {
        options.onChannels?.(channels);
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      sources.forEach((s, i) => {
        subscriber.add(
          s.messages$.subscribe({
            next: (m) => channels[i].offer(m),
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              if (--open === 0 && !pending()) subscriber.complete();
            },
          }),
        );
      });
      subscriber.add(
        demand.subscribe({
          next: (wanted) => {
            try {
              answer(wanted);
            } catch (err) {
              subscriber.error(err);
            }
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return undefined;
    });
}
