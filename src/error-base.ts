/**
 * The base classes of every error rx-mconn produces; each layer's own errors extend them in
 * that layer's `errors.ts`, and `src/errors.ts` gathers them all.
 * @module
 */

/** The peer an error concerns: its node ID and, when known, its address. */
export interface PeerRef {
  readonly id: string;
  /** `host:port` of the socket. */
  readonly address?: string;
}

/** Base class of every error raised by rx-mconn. */
export class MConnError extends Error {
  /**
   * A stable, machine-readable code naming the condition (e.g. `"unknown-channel"`); each
   * concrete class narrows it to its own literal type.
   */
  readonly reason: string;
  /**
   * The peer the error concerns, when it concerns one: set by the class itself, or by the
   * connection it ended (a connection of the switch names its peer).
   */
  declare readonly peer?: PeerRef | undefined;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}

/**
 * Names `peer` on `error` unless it names one already; returns `error`. For the connection an
 * error ended, which knows the peer where the code that raised it (a packet decoder) did not.
 */
export function namePeer<E extends MConnError>(error: E, peer: PeerRef | undefined): E {
  if (peer !== undefined && error.peer === undefined) Object.defineProperty(error, "peer", { value: peer, enumerable: true, configurable: true });
  return error;
}

/** A configuration value broke a rule; the message names the rule (every rule broken, at once). */
export class ConfigError extends MConnError {
  declare readonly reason: "config";
  constructor(message: string) {
    super("config", message);
  }
}

/** The peer broke the protocol. The connection that received it is closed; others are untouched. */
export class ProtocolError extends MConnError {}

/** Where a time limit ran out. */
export type TimeoutStage =
  | "secret-handshake" // the SecretConnection handshake (`secretHandshakeTimeout`)
  | "node-info" // the NodeInfo exchange (`handshakeTimeout`)
  | "pong" // nothing received after our ping (`pongTimeout`)
  | "write"; // a full transport that did not drain (`writeStallTimeout`)

/** How a {@link TimeoutError}'s default message names each stage. */
const STAGE_NAMES: Record<TimeoutStage, string> = {
  "secret-handshake": "the secret handshake",
  "node-info": "the NodeInfo exchange",
  pong: "the answer to our ping",
  write: "the write",
};

/**
 * A time limit ran out; `stage` says which, `timeoutMs` how long it was. The one class of
 * every timeout of a connection (`instanceof TimeoutError`); `PongTimeoutError` and
 * `WriteStallError` are its kinds for a running connection.
 */
export class TimeoutError extends MConnError {
  declare readonly reason: "timeout" | "pong-timeout" | "write-stall";
  constructor(
    readonly stage: TimeoutStage,
    readonly timeoutMs: number,
    message?: string,
    reason: "timeout" | "pong-timeout" | "write-stall" = "timeout",
  ) {
    super(reason, message ?? `${STAGE_NAMES[stage]} did not complete within ${timeoutMs} ms`);
  }
}

/**
 * A bug in rx-mconn: a state the code should never reach. Not caused by a peer or by the
 * user's input; please report it with the message and stack.
 */
export class InternalError extends MConnError {
  declare readonly reason: "internal";
  constructor(message: string, options?: { cause?: unknown }) {
    super("internal", `internal error (a bug in rx-mconn): ${message}`, options);
  }
}
