/**
 * Errors of the peer layer: addresses, NodeInfo, admission, and the guards around user code
 * (filters, reactor hooks, codecs, subscribers).
 * @module
 */
import { MConnError, ProtocolError, type PeerRef } from "../error-base.js";

export type { PeerRef };

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function peerText(peer: PeerRef | undefined): string {
  if (peer === undefined) return "";
  return ` (peer ${peer.id}${peer.address === undefined ? "" : ` at ${peer.address}`})`;
}

/** A text that is not a valid `ID@host:port` address; the message says what is wrong. */
export class NetAddressError extends MConnError {
  declare readonly reason: "bad-address";
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super("bad-address", `invalid address ${JSON.stringify(input)}: ${problem}`);
  }
}

/** The rules a peer's NodeInfo is checked against, each with its own code. */
export type NodeInfoRule =
  | "node-id"
  | "listen-addr"
  | "version"
  | "channels-count"
  | "channels-duplicate"
  | "moniker"
  | "tx-index"
  | "rpc-address"
  | "too-large"
  | "undecodable"
  | "id-mismatch"
  | "self"
  | "block-version"
  | "network"
  | "no-common-channel";

/** The peer's NodeInfo broke a rule (`rule` names it); the peer is refused. */
export class NodeInfoError extends ProtocolError {
  declare readonly reason: `node-info:${NodeInfoRule}`;
  constructor(
    readonly rule: NodeInfoRule,
    message: string,
  ) {
    super(`node-info:${rule}`, message);
  }
}

/** Why a connection was refused before it became a peer. */
export type RejectionRule =
  | "duplicate-id"
  | "duplicate-connection"
  | "self"
  | "max-inbound"
  | "max-outbound"
  | "filter"
  | "dial-id-mismatch"
  | "stopping"
  | "max-handshakes"
  | "duplicate-ip"
  | "host-handshakes"
  | "host-rate";

/** A connection refused by a transport or switch rule (`rule` names it). */
export class PeerRejectedError extends MConnError {
  /** A routine failure: built without a stack trace (see `MConnError.routine`). */
  static override readonly routine: boolean = true;
  declare readonly reason: `rejected:${RejectionRule}`;
  constructor(
    readonly rule: RejectionRule,
    message: string,
  ) {
    super(`rejected:${rule}`, message);
  }
}

/** Dialing failed (refused, unreachable, timed out). `cause` holds the underlying error. */
export class DialError extends MConnError {
  /** A routine failure: built without a stack trace (see `MConnError.routine`). */
  static override readonly routine: boolean = true;
  declare readonly reason: "dial";
  constructor(message: string, options?: { cause?: unknown }) {
    super("dial", message, options);
  }
}

/** A message that could not be decoded with its channel's codec; the peer is stopped. */
export class DecodeError extends ProtocolError {
  declare readonly reason: "decode";
  constructor(
    readonly channelId: number,
    override readonly peer: PeerRef,
    cause: unknown,
  ) {
    super("decode", `message on channel ${channelId} does not decode${peerText(peer)}: ${describe(cause)}`, { cause });
  }
}

/** The reactor hooks the switch calls. */
export type ReactorHook = "initPeer" | "addPeer" | "removePeer" | "receive";

/** A reactor hook threw while handling a peer; that peer is stopped with this error. */
export class ReactorError extends MConnError {
  declare readonly reason: "reactor";
  constructor(
    readonly reactor: string,
    readonly hook: ReactorHook,
    override readonly peer: PeerRef,
    cause: unknown,
  ) {
    super("reactor", `reactor ${reactor} failed in ${hook}${peerText(peer)}: ${describe(cause)}`, { cause });
  }
}

/** The user's filters. */
export type FilterName = "filterAddress" | "filterPeer";

/** A filter threw: the connection is refused (its socket destroyed) with this error. */
export class FilterError extends MConnError {
  declare readonly reason: "filter";
  constructor(
    readonly filter: FilterName,
    /** What was filtered: `host:port`, or the peer's ID. */
    readonly subject: string,
    cause: unknown,
    override readonly peer?: PeerRef,
  ) {
    super("filter", `${filter} threw for ${subject}: ${describe(cause)}`, { cause });
  }
}

/** The observables of the switch and its peers whose subscribers are guarded. */
export type GuardedStream = "messages$" | "peers$" | "rejected$" | "errors$" | "ended$" | "dropped$";

/**
 * A subscriber of one of our observables threw (or errored without an error handler). Reported
 * on `errors$` and to the logger; the peer the value concerned, if any, is stopped with it.
 */
export class SubscriberError extends MConnError {
  declare readonly reason: "subscriber";
  constructor(
    readonly stream: GuardedStream,
    override readonly peer: PeerRef | undefined,
    cause: unknown,
  ) {
    super("subscriber", `a subscriber of ${stream} threw${peerText(peer)}: ${describe(cause)}`, { cause });
  }
}

/** A source given to `peer.sendFrom` errored; the source is unsubscribed, the peer stays. */
export class SendSourceError extends MConnError {
  declare readonly reason: "send-source";
  constructor(
    readonly channelId: number,
    override readonly peer: PeerRef,
    cause: unknown,
  ) {
    super("send-source", `the source sending on channel ${channelId} failed${peerText(peer)}: ${describe(cause)}`, { cause });
  }
}

/** Why a send did not happen because the peer is gone. */
export class PeerEndedError extends MConnError {
  declare readonly reason: "peer-ended";
  constructor(
    readonly channelId: number,
    override readonly peer: PeerRef,
  ) {
    super("peer-ended", `cannot send on channel ${channelId}: the peer has ended${peerText(peer)}`);
  }
}

/**
 * A source piped into `peer.send$` (or given to `sendFrom`) pushed more than the connection's
 * send buffer holds (`sendBufferSize` bytes, or its share of the memory budget): this message
 * and any other that does not fit are refused and reported on `dropped$` (`buffer-full`).
 * Reported once per peer; the peer stays.
 */
export class SendBufferFullError extends MConnError {
  declare readonly reason: "send-buffer-full";
  constructor(
    readonly channelId: number,
    override readonly peer: PeerRef,
    readonly limit: number,
  ) {
    super(
      "send-buffer-full",
      `a source sending on channel ${channelId} outran the send buffer (${limit} bytes, or the memory budget)${peerText(peer)}: what does not fit is refused and reported on dropped$ (buffer-full); this is said once per peer`,
    );
  }
}

/** A dial cancelled through its `AbortSignal`. */
export class DialAbortedError extends MConnError {
  declare readonly reason: "dial-aborted";
  constructor(
    override readonly peer: PeerRef,
    cause: unknown,
  ) {
    super("dial-aborted", `dialing ${peer.id}${peer.address === undefined ? "" : `@${peer.address}`} was cancelled`, { cause });
  }
}
