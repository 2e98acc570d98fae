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

/** One channel's outbound counters, as `status()` reports them. */
type OutboundCounters = Pick<OutboundChannel, "queued" | "pendingBytes" | "recentlySent" | "sentBytes" | "sentMessages">;

/** The outbound path of one connection. */
export interface Outbound {
  /** Channel `index`'s sender (in declaration order), made on first use. */
  sender(index: number): ChannelSender;
  /** The senders made so far, by channel index (a channel nothing was sent on has none). */
  readonly senders: readonly (ChannelSender | undefined)[];
  /** Channel `index`'s queue and counters as the scheduler keeps them (zeros before the first send). */
  counters(index: number): OutboundCounters;
  /** The writer's demand: up to `bytes` of packets by priority (the scheduler's answer). */
  pull(bytes: number): OutboundBatch;
  /** Stops the scheduler and drops what is queued; nothing is built afterwards. */
  stop(): void;
}

/** The answer while nothing is queued, or once the scheduler has stopped. */
const NOTHING: OutboundBatch = Object.freeze({ packets: [], bytes: 0, more: false });

/** The counters of a channel nothing was ever queued on. */
const UNUSED: OutboundCounters = Object.freeze({ queued: 0, pendingBytes: 0, recentlySent: 0, sentBytes: 0, sentMessages: 0 });

/**
 * Builds the outbound path of `channels`: a {@link ChannelSender} per channel (sharing one send
 * buffer of `sendBufferSize` bytes and the connection's memory account), each pushing what it
 * lets into its queue onto the channel's outbound stream, and {@link scheduleOutbound} over the
 * streams, pulled by `pull(bytes)`: one demand, one answer per flush.
 *
 * Nothing of it is made before it is needed: a channel's sender on its first send, the scheduler
 * (its demand, the channels' streams and queues) when the first message enters a queue; an idle
 * connection holds neither. The decay of `recentlySent` counts its periods from the time
 * `outbound()` was called, as if the scheduler had run from then. The scheduler is let go again
 * when a demand finds every queue empty and every `recentlySent` decayed to 0 (a connection idle
 * for a while after traffic): only the channels' `sentBytes` and `sentMessages` are kept, and
 * the next message queued makes a scheduler that goes on from them.
 */
export function outbound(
  channels: readonly ResolvedChannelDescriptor[],
  config: MConnectionConfig,
  scheduler: SchedulerLike,
  memory: BudgetAccount | undefined,
  handlers: OutboundHandlers,
): Outbound {
  const buffer = { bytes: 0, limit: config.sendBufferSize };
  const senders: (ChannelSender | undefined)[] = new Array<ChannelSender | undefined>(channels.length);
  const decayFrom = scheduler.now();
  let run: SchedulerRun | undefined;
  /** The counters of a scheduler let go, by channel index. */
  let sent: readonly OutboundCounters[] = [];
  let stopped = false;
  const start = (): SchedulerRun | undefined => {
    if (run === undefined && !stopped) run = runScheduler(channels, config, scheduler, decayFrom, senders, sent, handlers);
    return run;
  };
  return {
    sender: (index) =>
      (senders[index] ??= new ChannelSender({
        capacity: channels[index].sendQueueCapacity,
        push: (m) => start()?.push(index, m),
        sendTimeout: config.sendTimeout,
        scheduler,
        onQueued: handlers.queued,
        memory,
        buffer,
      })),
    senders,
    counters: (index) => run?.queues[index] ?? (index < sent.length ? sent[index] : UNUSED),
    pull: (bytes) => {
      if (run === undefined) return NOTHING;
      const batch = run.pull(bytes);
      if (batch.packets.length === 0 && !batch.more && run.queues.every(isSpent)) {
        sent = run.queues.map((q) => ({ ...UNUSED, sentBytes: q.sentBytes, sentMessages: q.sentMessages }));
        run.stop();
        run = undefined;
      }
      return batch;
    },
    stop: () => {
      stopped = true;
      run?.stop();
    },
  };
}

/** Nothing queued, nothing being cut, and `recentlySent` decayed to 0: nothing to keep but counters. */
function isSpent(q: OutboundChannel): boolean {
  return !q.hasPending && q.recentlySent === 0;
}

/** The scheduler running over every channel's outbound stream. */
interface SchedulerRun {
  readonly queues: readonly OutboundChannel[];
  push(index: number, message: Uint8Array): void;
  pull(bytes: number): OutboundBatch;
  stop(): void;
}

/** Subscribes {@link scheduleOutbound} to the channels' streams and to a demand. */
function runScheduler(
  channels: readonly ResolvedChannelDescriptor[],
  config: MConnectionConfig,
  scheduler: SchedulerLike,
  decayFrom: number,
  senders: readonly (ChannelSender | undefined)[],
  /** The counters a previous scheduler of these channels left. */
  sent: readonly OutboundCounters[],
  handlers: OutboundHandlers,
): SchedulerRun {
  // Each channel's outbound stream, fed straight into its one subscriber (the scheduler): a
  // Subject would add a closure and a loop over observers to every message.
  const sinks: (Subscriber<Uint8Array> | undefined)[] = [];
  const sources = channels.map((d, i): OutboundSource => ({
    id: d.id,
    priority: d.priority,
    messages$: new Observable<Uint8Array>((subscriber) => {
      sinks[i] = subscriber;
      return () => (sinks[i] = undefined);
    }),
  }));
  // Channel id (a byte) to index: the scheduler's callbacks find their sender without a map
  // lookup (a channel with messages in its queue has a sender).
  const indexOf: number[] = [];
  channels.forEach((d, i) => (indexOf[d.id] = i));
  const demand = new Subject<number>();
  let queues: readonly OutboundChannel[] = [];
  let answered: OutboundBatch | undefined;
  const subscription: Subscription = demand
    .pipe(
      scheduleOutbound(sources, {
        maxPacketMsgPayloadSize: config.maxPacketMsgPayloadSize,
        batchSize: config.batchSize,
        decayPeriod: config.decayPeriod,
        decayFactor: config.decayFactor,
        scheduler,
        decayFrom,
        onDequeue: (id) => senders[indexOf[id]]?.dequeued(),
        onSent: (id, m) => senders[indexOf[id]]?.sent(m),
        onChannels: (c) => {
          queues = c;
          sent.forEach((counters, i) => {
            c[i].sentBytes = counters.sentBytes;
            c[i].sentMessages = counters.sentMessages;
          });
        },
      }),
    )
    .subscribe({
      next: (batch) => (answered = batch),
      error: handlers.failed,
    });
  return {
    get queues() {
      return queues;
    },
    push: (index, message) => sinks[index]?.next(message),
    pull: (bytes) => {
      demand.next(bytes);
      const batch = answered ?? NOTHING;
      answered = undefined;
      return batch;
    },
    stop: () => {
      subscription.unsubscribe();
      for (const q of queues) q.clear();
    },
  };
}
