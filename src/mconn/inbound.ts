/**
 * MConnection's inbound path: the duplex's chunks, rate-limited and decoded into the packets of
 * each chunk, shared by three consumers — the keepalive (every arrival is a sign of life), the
 * control packets (pings answered, within the ping-rate limit) and the reassembly of messages.
 * @module
 */
import { connectable, filter, ignoreElements, merge, mergeMap, Subject, tap, type Observable, type SchedulerLike, type Subscription } from "rxjs";
import { decodePacketBatches } from "../wire/decode-packets.js";
import { maxPacketMsgSize, type Packet } from "../wire/packet.js";
import type { MConnectionConfig } from "./config.js";
import { keepalive } from "./keepalive.js";
import { limitIncoming, type ReadingDuplex } from "./limit-incoming.js";
import { limitPingRate } from "./limit-ping-rate.js";
import type { BudgetAccount } from "./memory-budget.js";
import { reassembleBatches, type ChannelMessage, type ReassemblyChannel } from "./reassemble.js";
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
 * One array of packets per chunk read: the consumers run once per chunk, not once per packet.
 *
 * ```
 * incoming$ ─▶ limitIncoming ─▶ decodePacketBatches ─▶ (shared)
 *     ├─▶ keepalive ─────────────────────────────────▶ pingDue
 *     ├─▶ pings and pongs ─▶ limitPingRate(pings) ───▶ pongDue
 *     └─▶ reassembleBatches ─────────────────────────▶ message
 * ```
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
  const batches$ = connectable(limitIncoming(duplex, recvBucket, scheduler).pipe(decodePacketBatches(maxPacketMsgSize(config.maxPacketMsgPayloadSize))), {
    connector: () => new Subject<readonly Packet[]>(),
    resetOnDisconnect: false,
  });
  const pings$ = batches$.pipe(
    keepalive({ pingInterval: config.pingInterval, pongTimeout: config.pongTimeout, scheduler }),
    tap(() => on.pingDue()),
  );
  const pongs$ = batches$.pipe(
    // Most batches are all data: only those with a ping or pong go through mergeMap, which
    // reports each control packet and passes the pings on.
    filter((batch) => batch.some(isControl)),
    mergeMap((batch) => pingsOf(batch, on.controlReceived)),
    limitPingRate({ burst: config.pingBurst, perSecond: config.maxPingRate, scheduler }),
    tap(() => on.pongDue()),
  );
  const messages$ = batches$.pipe(
    reassembleBatches(channels, memory),
    tap((m) => on.message(m)),
  );
  return {
    run$: merge(pings$, pongs$, messages$).pipe(ignoreElements()),
    connect: () => batches$.connect(),
  };
}

function isControl(p: Packet): boolean {
  return p.type !== "msg";
}

/** The pings of `batch`, in order, after telling `received` of each ping and pong in it. */
function pingsOf(batch: readonly Packet[], received: (p: Packet) => void): Packet[] {
  const pings: Packet[] = [];
  for (const p of batch) {
    if (p.type === "msg") continue;
    received(p);
    if (p.type === "ping") pings.push(p);
  }
  return pings;
}
