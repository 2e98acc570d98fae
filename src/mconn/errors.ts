/**
 * Errors of the MConnection layer: channels, keepalive, writing, memory.
 * @module
 */
import { MConnError, ProtocolError, TimeoutError } from "../error-base.js";

/** A message arrived for a channel this connection did not declare. */
export class UnknownChannelError extends ProtocolError {
  declare readonly reason: "unknown-channel";
  constructor(readonly channelId: number) {
    super("unknown-channel", `received a packet for unknown channel ${channelId}`);
  }
}

/** A reassembled message grew past its channel's `recvMessageCapacity`. */
export class MessageTooLargeError extends ProtocolError {
  declare readonly reason: "message-too-large";
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
  declare readonly reason: "ping-flood";
  constructor(readonly limit: string) {
    super("ping-flood", `peer sent pings faster than allowed (${limit})`);
  }
}

/** Nothing arrived from the peer within `pongTimeout` after our ping (a {@link TimeoutError}, stage `pong`). */
export class PongTimeoutError extends TimeoutError {
  declare readonly reason: "pong-timeout";
  declare readonly stage: "pong";
  constructor(timeoutMs: number) {
    super("pong", timeoutMs, `no packet received within ${timeoutMs} ms after ping`, "pong-timeout");
  }
}

/**
 * Nothing we wrote was taken by the peer for `writeStallTimeout`: the transport stayed full (a
 * peer that does not read), whatever the peer sent meanwhile. A {@link TimeoutError}, stage `write`.
 */
export class WriteStallError extends TimeoutError {
  declare readonly reason: "write-stall";
  declare readonly stage: "write";
  constructor(timeoutMs: number) {
    super("write", timeoutMs, `the peer took none of our writes for ${timeoutMs} ms`, "write-stall");
  }
}

/**
 * A connection would hold more than its share of the process's memory budget (`action:
 * "refused"`), or held more than its share when the budget was full and was ended to make room
 * for a connection within its own (`action: "evicted"`).
 */
export class MemoryBudgetError extends MConnError {
  declare readonly reason: "memory-budget";
  constructor(
    /** Bytes asked for (0 for an eviction). */
    readonly wanted: number,
    /** Bytes the connection held. */
    readonly held: number,
    /** Its share of the budget then. */
    readonly share: number,
    /** Refused a reservation past its share, or ended to make room for others. */
    readonly action: "refused" | "evicted" = "refused",
  ) {
    super(
      "memory-budget",
      action === "refused"
        ? `holding ${held + wanted} bytes would exceed this connection's share of the memory budget (${Math.floor(share)} bytes)`
        : `ended to make room in the memory budget: it held ${held} bytes, past its share (${Math.floor(share)} bytes)`,
    );
  }
}
