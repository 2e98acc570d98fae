/**
 * What the CometBFT helpers fail with.
 * @module
 */
import { MConnError } from "../error-base.js";

/** The peer answered a block request with `NoBlockResponse`: it does not have that height. */
export class BlockNotAvailableError extends MConnError {
  declare readonly reason: "block-not-available";
  constructor(
    readonly peerId: string,
    readonly height: bigint,
  ) {
    super("block-not-available", `peer ${peerId} does not have block ${height}`);
  }
}

/** The peer sent no answer to a block request within the time allowed. */
export class BlockRequestTimeoutError extends MConnError {
  declare readonly reason: "block-request-timeout";
  constructor(
    readonly peerId: string,
    readonly height: bigint,
    readonly timeoutMs: number,
  ) {
    super("block-request-timeout", `peer ${peerId} did not answer the request for block ${height} within ${timeoutMs} ms`);
  }
}

/** The peer left while a request to it was open. */
export class PeerLeftError extends MConnError {
  declare readonly reason: "peer-left";
  constructor(readonly peerId: string) {
    super("peer-left", `peer ${peerId} left before answering`);
  }
}

/** A message could not be queued for the peer (it lacks the channel, or its queue stayed full). */
export class SendRefusedError extends MConnError {
  declare readonly reason: "send-refused";
  constructor(
    readonly peerId: string,
    readonly channelId: number,
  ) {
    super("send-refused", `could not queue a message for peer ${peerId} on channel 0x${channelId.toString(16).padStart(2, "0")}`);
  }
}

/**
 * A transaction larger than the nodes' `mempool.max_tx_bytes`: refused before anything is sent,
 * since a CometBFT node closes the connection of a peer that sends one (its mempool channel's
 * receive limit is sized for `max_tx_bytes`).
 */
export class TxTooLargeError extends MConnError {
  declare readonly reason: "tx-too-large";
  constructor(
    readonly size: number,
    readonly maxTxBytes: number,
  ) {
    super("tx-too-large", `the transaction is ${size} bytes, more than max_tx_bytes ${maxTxBytes}: a CometBFT node with that limit closes the connection of a peer that sends it`);
  }
}

/** An empty transaction: refused before anything is sent (a v0.40 node closes the connection of a peer that sends one). */
export class EmptyTxError extends MConnError {
  declare readonly reason: "empty-tx";
  constructor() {
    super("empty-tx", "the transaction is empty: CometBFT refuses empty transactions (v0.40 closes the connection of a peer that sends one)");
  }
}
