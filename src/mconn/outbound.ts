/**
 * MConnection's outbound path up to the writer: each channel's sender (room in its bounded
 * queue, senders waiting in order, held bytes) feeding the channel's outbound stream, the
 * streams merged by {@link scheduleOutbound}, and `pull(bytes)`, the writer's demand answered.
 * @module
 */
import { Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from "rxjs";
import type { ResolvedChannelDescriptor } from "./channel-descriptor.js";
import { ChannelSender } from "./channel-sender.js";
import type { MConnectionConfig } from "./config.js";
import type { BudgetAccount } from "./memory-budget.js";
import type { OutboundChannel } from "./outbound-channel.js";
import { scheduleOutbound, type OutboundBatch, type OutboundSource } from "./schedule-outbound.js";

/** What the outbound path tells its connection. */
export interface OutboundHandlers {
  /** A message entered a channel's queue: a flush is due. */
  readonly queued: () => void;
  /** The scheduler failed (a bug: its callbacks are ours): the connection ends with it. */
  readonly failed: (error: unknown) => void;
}

/** The outbound path of one connection. */
export interface Outbound {
  /** Each channel's sender, in declaration order. */
  readonly senders: readonly ChannelSender[];
  /** Each channel's queue and counters as the scheduler keeps them, in declaration order. */
  readonly queues: readonly OutboundChannel[];
  /** The writer's demand: up to `bytes` of packets by priority (the scheduler's answer). */
  pull(bytes: number): OutboundBatch;
  /** Stops the scheduler and drops what is queued. */
  stop(): void;
}

/** The answer once the scheduler has stopped. */
const NOTHING: OutboundBatch = Object.freeze({ packets: [], bytes: 0, more: false });

/**
 * Builds the outbound path of `channels`: a {@link ChannelSender} per channel (sharing one send
 * buffer of `sendBufferSize` bytes and the connection's memory account), each pushing what it
 * lets into its queue onto the channel's outbound stream, and {@link scheduleOutbound} over the
 * streams, subscribed at once and pulled by `pull(bytes)`: one demand, one answer per flush.
 */
export function outbound(
  channels: readonly ResolvedChannelDescriptor[],
  config: MConnectionConfig,
  scheduler: SchedulerLike,
  memory: BudgetAccount | undefined,
  handlers: OutboundHandlers,
): Outbound {
  const buffer = { bytes: 0, limit: config.sendBufferSize };
  const senders: ChannelSender[] = [];
  const sources = channels.map((d): OutboundSource => {
    // The channel's outbound stream, fed straight into its one subscriber (the scheduler): a
    // Subject would add a closure and a loop over observers to every message.
    let sink: Subscriber<Uint8Array> | undefined;
    const messages$ = new Observable<Uint8Array>((subscriber) => {
      sink = subscriber;
      return () => (sink = undefined);
    });
    senders.push(
      new ChannelSender({
        capacity: d.sendQueueCapacity,
        push: (m) => sink?.next(m),
        sendTimeout: config.sendTimeout,
        scheduler,
        onQueued: handlers.queued,
        memory,
        buffer,
      }),
    );
    return { id: d.id, priority: d.priority, messages$ };
  });
  // By channel id (a byte): the scheduler's callbacks find their sender without a map lookup.
  const byId: ChannelSender[] = [];
  channels.forEach((d, i) => (byId[d.id] = senders[i]));
  const demand = new Subject<number>();
  let queues: readonly OutboundChannel[] = [];
  let answered: OutboundBatch | undefined;
  const run: Subscription = demand
    .pipe(
      scheduleOutbound(sources, {
        maxPacketMsgPayloadSize: config.maxPacketMsgPayloadSize,
        batchSize: config.batchSize,
        decayPeriod: config.decayPeriod,
        decayFactor: config.decayFactor,
        scheduler,
        onDequeue: (id) => byId[id].dequeued(),
        onSent: (id, m) => byId[id].sent(m),
        onChannels: (c) => (queues = c),
      }),
    )
    .subscribe({
      next: (batch) => (answered = batch),
      error: handlers.failed,
    });
  return {
    senders,
    get queues() {
      return queues;
    },
    pull: (bytes) => {
      demand.next(bytes);
      const batch = answered ?? NOTHING;
      answered = undefined;
      return batch;
    },
    stop: () => {
      run.unsubscribe();
      for (const q of queues) q.clear();
    },
  };
}
