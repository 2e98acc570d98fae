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

  /**
   * True on the classes of routine failures — a connection refused by a limit or a rule, a dial
   * that failed, a handshake or a stream cut short, an address the book refuses — which a busy
   * node meets thousands of times a minute: they are built without capturing a stack trace (their
   * `stack` is their name and message; the call stack of library code that saw a peer hang up
   * says nothing of the cause anyway). Everything else about them — class, `reason`, message,
   * `peer`, `cause` — is as for any error. See {@link MConnError.captureRoutineStacks}.
   */
  static readonly routine: boolean = false;

  /**
   * Set to true to capture stack traces for routine failures too (see {@link MConnError.routine}),
   * e.g. while debugging. Default false. Only these classes are concerned: `Error.stackTraceLimit`
   * is left as it is for every other error.
   */
  static captureRoutineStacks = false;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    const quiet = new.target.routine && !MConnError.captureRoutineStacks;
    const limit = Error.stackTraceLimit;
    // no frames captured for this one error (restored at once: nothing else is constructed meanwhile)
    if (quiet) Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      if (quiet) Error.stackTraceLimit = limit;
    }
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
