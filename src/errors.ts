/**
 * Every error rx-mconn produces is an {@link MConnError}. Errors caused by what a peer sent are
 * {@link ProtocolError}s; each condition has its own subclass so that callers can tell them apart
 * with `instanceof` and read the `reason` code in logs and metrics.
 * @module
 */

/** Base class of every error raised by rx-mconn. */
export class MConnError extends Error {
  /** A stable, machine-readable code naming the condition (e.g. `"unknown-channel"`). */
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}

/** A configuration value broke a rule; the message names the rule. */
export class ConfigError extends MConnError {
  constructor(message: string) {
    super("config", message);
  }
}

/** The peer broke the protocol. The connection that received it is closed; others are untouched. */
export class ProtocolError extends MConnError {}

/** A length prefix announced a frame larger than allowed; rejected before any allocation. */
export class PacketTooLargeError extends ProtocolError {
  /** The announced length (as far as it was read), and the maximum allowed. */
  constructor(
    readonly announced: number,
    readonly max: number,
  ) {
    super("packet-too-large", `packet length ${announced} exceeds the maximum of ${max} bytes`);
  }
}

/** Bytes that do not decode as a valid `Packet` (bad varint, bad protobuf, no packet type set). */
export class MalformedPacketError extends ProtocolError {
  constructor(message: string) {
    super("malformed-packet", message);
  }
}

/** A message arrived for a channel this connection did not declare. */
export class UnknownChannelError extends ProtocolError {
  constructor(readonly channelId: number) {
    super("unknown-channel", `received a packet for unknown channel ${channelId}`);
  }
}

/** A reassembled message grew past its channel's `recvMessageCapacity`. */
export class MessageTooLargeError extends ProtocolError {
  constructor(
    readonly channelId: number,
    readonly size: number,
    readonly capacity: number,
  ) {
    super(
      "message-too-large",
      `message on channel ${channelId} reached ${size} bytes, over the channel's receive capacity of ${capacity}`,
    );
  }
}

/** The peer sent pings faster than the configured limit allows. */
export class PingFloodError extends ProtocolError {
  constructor(readonly limit: string) {
    super("ping-flood", `peer sent pings faster than allowed (${limit})`);
  }
}

/** Nothing arrived from the peer within `pongTimeout` after our ping. */
export class PongTimeoutError extends MConnError {
  constructor(readonly timeoutMs: number) {
    super("pong-timeout", `no packet received within ${timeoutMs} ms after ping`);
  }
}

/**
 * Nothing we wrote was taken by the peer for `writeStallTimeout`: the transport stayed full (a
 * peer that does not read), whatever the peer sent meanwhile.
 */
export class WriteStallError extends MConnError {
  constructor(readonly timeoutMs: number) {
    super("write-stall", `the peer took none of our writes for ${timeoutMs} ms`);
  }
}

/** The underlying transport failed (socket error, reset). `cause` holds the original error. */
export class TransportError extends MConnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("transport", message, options);
  }
}

/** The peer closed the connection before a frame or message was complete. */
export class TruncatedError extends ProtocolError {
  constructor(message: string) {
    super("truncated", message);
  }
}
