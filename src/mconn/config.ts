/**
 * MConnection configuration: one `defaults` object with CometBFT's values, and
 * {@link verifyConfig} that rejects a bad value with one sentence per rule.
 * @module
 */
import { ConfigError } from "../error-base.js";

/** Tunables of one multiplexed connection. All durations are in milliseconds. */
export interface MConnectionConfig {
  /** Largest `PacketMsg.data` per packet; messages are cut into fragments of this size. */
  readonly maxPacketMsgPayloadSize: number;
  /** Packets taken from the priority scheduler per pull. */
  readonly batchSize: number;
  /** Period of the `recentlySent` decay. */
  readonly decayPeriod: number;
  /** Factor applied to every channel's `recentlySent` each `decayPeriod`. */
  readonly decayFactor: number;
  /** Upper bound of bytes gathered into one socket write. */
  readonly writeBufferSize: number;
  /** How long `send()` waits for room in a channel's queue before resolving `false`. */
  readonly sendTimeout: number;
  /**
   * Bytes of messages the connection holds, across its channels, while they wait for room in
   * their queue without a time limit (`hold`: what is piped into `peer.send$`), drawn from the
   * memory budget. A message past it is refused and reported.
   */
  readonly sendBufferSize: number;
  /** Send a ping once nothing has been received for this long. */
  readonly pingInterval: number;
  /** After our ping, the connection fails if nothing at all arrives within this long. */
  readonly pongTimeout: number;
  /** Pings the peer may send in a burst before the rate limit applies. */
  readonly pingBurst: number;
  /** Sustained pings per second the peer may send; beyond it the peer is dropped. */
  readonly maxPingRate: number;
  /** Outbound cap in bytes per second; 0 means unlimited. */
  readonly sendRate: number;
  /** Inbound cap in bytes per second (the socket is paused); 0 means unlimited. */
  readonly recvRate: number;
  /** How long `close()` may spend flushing queued messages before it cuts the connection. */
  readonly closeTimeout: number;
  /**
   * How long a full transport (a write refused until it drains) may make no progress before the
   * connection ends with `WriteStallError`, whatever the peer sends meanwhile.
   */
  readonly writeStallTimeout: number;
  /**
   * Queueing delay to aim at below us (Node's and the kernel's socket buffers, the peer's
   * unread bytes), measured by the round trip of a probe ping after a write; bytes in flight
   * are capped by a window sized to keep it (see `DelayPacer`). 0 turns pacing off.
   */
  readonly pacingTargetDelay: number;
}

/** CometBFT's values, where CometBFT has one. */
export const defaults: MConnectionConfig = Object.freeze({
  maxPacketMsgPayloadSize: 1024, // defaultMaxPacketMsgPayloadSize
  batchSize: 10, // numBatchPacketMsgs
  decayPeriod: 2000, // updateStats
  decayFactor: 0.8, // recentlySent *= 0.8 each updateStats
  writeBufferSize: 65536, // minWriteBufferSize: CometBFT's bufio writer size
  sendTimeout: 10_000, // defaultSendTimeout
  // No CometBFT equivalent (Go's Send blocks the caller instead): a burst of a few MiB piped
  // into send$ at once (a block's parts, a batch of transactions) waits whole.
  sendBufferSize: 4 * 1024 * 1024,
  pingInterval: 60_000, // defaultPingInterval
  pongTimeout: 45_000, // defaultPongTimeout (must be < pingInterval)
  // No CometBFT equivalent (Go answers every ping; it sends one a minute). A pacing peer probes
  // with at most one ping out at a time, at most one each 2 ms (500 a second).
  pingBurst: 100,
  maxPingRate: 1000,
  sendRate: 5_120_000, // [p2p] send_rate of a CometBFT node
  recvRate: 5_120_000, // [p2p] recv_rate of a CometBFT node
  closeTimeout: 10_000, // no CometBFT equivalent: bound on flushing at close()
  // No CometBFT equivalent (Go's send routine blocks in Write for as long as the peer does not
  // read). Twice sendTimeout: every send() waiting on the peer has already failed by then.
  writeStallTimeout: 20_000,
  pacingTargetDelay: 5, // no CometBFT equivalent: Go hands the socket whatever it takes
});

function positiveInteger(errors: string[], name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) errors.push(`${name} must be a positive integer, got ${value}.`);
}

function positiveDuration(errors: string[], name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) errors.push(`${name} must be a positive number of milliseconds, got ${value}.`);
}

function rate(errors: string[], name: string, value: number): void {
  if (!(value >= 0) || Number.isNaN(value)) errors.push(`${name} must be 0 (unlimited) or a positive number of bytes per second, got ${value}.`);
}

/**
 * Fills in defaults and checks every rule.
 * @throws {ConfigError} listing every rule broken, one sentence each.
 */
export function verifyConfig(config: Partial<MConnectionConfig> = {}): MConnectionConfig {
  const c: MConnectionConfig = { ...defaults, ...config };
  const errors: string[] = [];
  positiveInteger(errors, "maxPacketMsgPayloadSize", c.maxPacketMsgPayloadSize);
  positiveInteger(errors, "batchSize", c.batchSize);
  positiveDuration(errors, "decayPeriod", c.decayPeriod);
  if (!(c.decayFactor >= 0 && c.decayFactor < 1)) errors.push(`decayFactor must be at least 0 and below 1, got ${c.decayFactor}.`);
  positiveInteger(errors, "writeBufferSize", c.writeBufferSize);
  if (c.writeBufferSize < c.maxPacketMsgPayloadSize + 16)
    errors.push(`writeBufferSize must hold at least one packet (${c.maxPacketMsgPayloadSize + 16} bytes), got ${c.writeBufferSize}.`);
  positiveDuration(errors, "sendTimeout", c.sendTimeout);
  positiveInteger(errors, "sendBufferSize", c.sendBufferSize);
  positiveDuration(errors, "pingInterval", c.pingInterval);
  positiveDuration(errors, "pongTimeout", c.pongTimeout);
  if (c.pongTimeout >= c.pingInterval) errors.push(`pongTimeout (${c.pongTimeout}) must be less than pingInterval (${c.pingInterval}).`);
  positiveInteger(errors, "pingBurst", c.pingBurst);
  if (!(c.maxPingRate > 0)) errors.push(`maxPingRate must be a positive number of pings per second, got ${c.maxPingRate}.`);
  rate(errors, "sendRate", c.sendRate);
  rate(errors, "recvRate", c.recvRate);
  positiveDuration(errors, "closeTimeout", c.closeTimeout);
  positiveDuration(errors, "writeStallTimeout", c.writeStallTimeout);
  if (!(Number.isFinite(c.pacingTargetDelay) && c.pacingTargetDelay >= 0)) errors.push(`pacingTargetDelay must be 0 (no pacing) or a finite positive number of milliseconds, got ${c.pacingTargetDelay}.`);
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return c;
}
