/**
 * Errors of the SecretConnection layer.
 * @module
 */
import { MConnError, ProtocolError } from "../error-base.js";

/** What went wrong in a secret handshake, one code per rule. */
export type HandshakeRule =
  | "ephemeral-key" // the first message is not a 32-byte X25519 key
  | "low-order-key" // the Diffie-Hellman result is all zeros
  | "same-ephemeral-key" // the remote echoed our own ephemeral key
  | "auth-message" // the AuthSigMessage does not decode
  | "key-type" // the remote's identity key is not Ed25519
  | "signature" // the signature does not verify over the challenge
  | "truncated"; // the stream ended during the handshake (a timeout is a TimeoutError, stage "secret-handshake")

/** The secret handshake failed; `rule` names the step. The connection is closed. */
export class HandshakeError extends ProtocolError {
  /** A routine failure: built without a stack trace (see `MConnError.routine`). */
  static override readonly routine: boolean = true;
  declare readonly reason: `handshake-${HandshakeRule}`;
  constructor(
    readonly rule: HandshakeRule,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`handshake-${rule}`, `secret handshake failed (${rule}): ${message}`, options);
  }
}

/** A sealed frame failed authentication: tampered, replayed, reordered or not ours. */
export class FrameAuthenticationError extends ProtocolError {
  declare readonly reason: "frame-authentication";
  constructor(readonly frame: bigint) {
    super("frame-authentication", `sealed frame ${frame} failed authentication (tampered, replayed or reordered)`);
  }
}

/** A frame opened correctly but announced more than 1024 data bytes. */
export class FrameLengthError extends ProtocolError {
  declare readonly reason: "frame-length";
  constructor(readonly length: number) {
    super("frame-length", `sealed frame announces ${length} data bytes, over the maximum of 1024`);
  }
}

/**
 * The peer sent a run of sealed frames with no data: CometBFT's reader gives up after 100 empty
 * reads in a row (`io.ErrNoProgress`), and so do we, at the 100th.
 */
export class EmptyFramesError extends ProtocolError {
  declare readonly reason: "empty-frames";
  constructor(readonly run: number) {
    super("empty-frames", `${run} sealed frames in a row carried no data`);
  }
}

/** The 64-bit frame counter of one direction ran out; the connection must end. */
export class NonceExhaustedError extends MConnError {
  declare readonly reason: "nonce-exhausted";
  constructor() {
    super("nonce-exhausted", "the frame counter reached 2^64 - 1; the connection must be re-established");
  }
}

/** A `node_key.json` (or a key given in code) is not a valid Ed25519 node key. */
export class NodeKeyError extends MConnError {
  declare readonly reason: "node-key";
  constructor(message: string, options?: { cause?: unknown }) {
    super("node-key", message, options);
  }
}
