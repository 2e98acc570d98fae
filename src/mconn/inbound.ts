/**
 * MConnection's inbound path: the duplex's chunks, rate-limited and decoded into the packets of
 * each chunk, read by one subscriber that hands each batch to three consumers in turn — the
 * keepalive (every arrival is a sign of life), the control packets (pings answered, within the
 * ping-rate limit) and the reassembly of messages, whose state is made at the first message.
 * @module
 */
import { Observable, type SchedulerLike, type Subscriber, type Subscription } from "rxjs";
import { decodePacketBatches } from "../wire/decode-packets.js";
import { maxPacketMsgSize, type Packet } from "../wire/packet.js";
import type { MConnectionConfig } from "./config.js";
import { keepalive } from "./keepalive.js";
import { limitIncoming, type ReadingDuplex } from "./limit-incoming.js";
import type { PingFloodError } from "./errors.js";
import { PingAllowance } from "./limit-ping-rate.js";
import type { BudgetAccount } from "./memory-budget.js";
import { Reassembler, type ChannelMessage, type ReassemblyChannel, type ReassemblyOutput } from "./reassemble.js";
import type { TokenBucket } from "./token-bucket.js";

/** What the inbound path tells its connection. */
export interface InboundHandlers {
  /** Nothing arrived for `pingInterval`: our ping is due. */
  readonly pingDue: () => void;
  /** A ping or pong arrived. */
  readonly controlReceived: (packet: Packet) => void;
  /** A ping within the rate limit arrived: a pong is due. */
  readonly pongDue: () => void;
  /** A whole message arrived. */
  readonly message: (message: ChannelMessage) => void;
}

/** The inbound path, built but not yet reading. */
export interface Inbound {
  /**
   * Runs the consumers: completes when the duplex does (outside a message), errors with the
   * first typed error (a bad packet, a ping flood, a pong timeout, the transport's failure).
   */
  readonly run$: Observable<never>;
  /** Starts reading; call once `run$` is subscribed. */
  connect(): Subscription;
}

/**
 * One array of packets per chunk read: the consumers run once per chunk, not once per packet,
 * each over the whole batch before the next (the keepalive, then every ping and pong, then the
 * messages), as three subscribers of one shared stream would, with one subscriber.
 *
 * ```
 * incoming$ ─▶ limitIncoming ─▶ decodePacketBatches ─▶ (each batch)
 *     ├─▶ keepalive ──────────────────────────────────▶ pingDue
 *     ├─▶ pings and pongs ─▶ ping rate (a token bucket) ▶ pongDue
 *     └─▶ reassembly (made at the first message) ─────▶ message
 * ```
 *
 * The ping rate is a {@link PingAllowance} (`pingBurst` at once, `maxPingRate` a second), as
 * `limitPingRate` applies it: the first ping beyond it ends the path with {@link PingFloodError}.
 */
export function inbound(
  duplex: ReadingDuplex,
  config: MConnectionConfig,
  channels: readonly ReassemblyChannel[],
  recvBucket: TokenBucket,
  scheduler: SchedulerLike,
  on: InboundHandlers,
  /** Where reassembly buffers are reserved from, if anywhere. */
  memory?: BudgetAccount,
): Inbound {
  const batches$ = limitIncoming(duplex, recvBucket, scheduler).pipe(decodePacketBatches(maxPacketMsgSize(config.maxPacketMsgPayloadSize)));
  /** What reads the batches while `run$` is subscribed. */
  let reading: Reading | undefined;
  const run$ = new Observable<never>((subscriber) => {
    // Arrivals go straight into the keepalive's one subscription.
    let arrivals: Subscriber<void> | undefined;
    const arrivals$ = new Observable<void>((s) => {
      arrivals = s;
      return () => (arrivals = undefined);
    });
    subscriber.add(
      arrivals$.pipe(keepalive({ pingInterval: config.pingInterval, pongTimeout: config.pongTimeout, scheduler })).subscribe({
        next: () => on.pingDue(),
        error: (err: unknown) => subscriber.error(err),
      }),
    );
    const pings = new PingAllowance({ burst: config.pingBurst, perSecond: config.maxPingRate, scheduler });
    let reassembler: Reassembler | undefined;
    const delivered: ReassemblyOutput = {
      next: (m) => on.message(m),
      error: (err: unknown) => subscriber.error(err),
      get closed() {
        return subscriber.closed;
      },
    };
    const batch = (packets: readonly Packet[]) => {
      arrivals?.next();
      if (subscriber.closed) return;
      if (packets.some(isControl) && !answerPings(packets, pings, on, subscriber)) return;
      if (reassembler === undefined) {
        if (packets.every(isControl)) return;
        reassembler = new Reassembler(channels, memory);
      }
      reassembler.feed(packets, delivered);
    };
    reading = { batch, subscriber, end: () => reassembler?.endError() };
    return () => {
      reading = undefined;
      reassembler?.reset();
    };
  });
  return {
    run$,
    connect: () =>
      batches$.subscribe({
        next: (packets) => reading?.batch(packets),
        error: (err: unknown) => reading?.subscriber.error(err),
        complete: () => {
          const r = reading;
          if (r === undefined) return;
          const error = r.end();
          if (error === undefined) r.subscriber.complete();
          else r.subscriber.error(error);
        },
      }),
  };
}

/** The consumers of the batches, as `run$`'s subscription made them. */
interface Reading {
  readonly batch: (packets: readonly Packet[]) => void;
  readonly subscriber: Subscriber<never>;
  /** The error for a stream that ends now (a message half received), if any. */
  readonly end: () => Error | undefined;
}

function isControl(p: Packet): boolean {
  return p.type !== "msg";
}

/**
 * Tells `on` of each ping and pong of `packets`, then answers each ping within the rate; false
 * (after erroring `subscriber` with {@link PingFloodError}) at the first beyond it, or when
 * `subscriber` closed meanwhile.
 */
function answerPings(packets: readonly Packet[], pings: PingAllowance, on: InboundHandlers, subscriber: Subscriber<never>): boolean {
  let count = 0;
  for (const p of packets) {
    if (p.type === "msg") continue;
    on.controlReceived(p);
    if (p.type === "ping") count++;
  }
  for (; count > 0; count--) {
    if (subscriber.closed) return false;
    const flood = pings.take();
    if (flood !== undefined) {
      subscriber.error(flood);
      return false;
    }
    on.pongDue();
  }
  return !subscriber.closed;
}
