/**
 * Errors of the peer layer: addresses, NodeInfo, admission.
 * @module
 */
import { MConnError, ProtocolError } from "../errors.js";

/** A text that is not a valid `ID@host:port` address; the message says what is wrong. */
export class NetAddressError extends MConnError {
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
  constructor(
    readonly rule: RejectionRule,
    message: string,
  ) {
    super(`rejected:${rule}`, message);
  }
}

/** Dialing failed (refused, unreachable, timed out). `cause` holds the underlying error. */
export class DialError extends MConnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("dial", message, options);
  }
}
