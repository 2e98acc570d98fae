/**
 * `submitTx`: gossips a transaction on the mempool channel (0x30), as CometBFT's mempool
 * reactor does.
 * @module
 */
import { defer, from, map, mergeMap, Observable, throwError } from "rxjs";
import type { Peer } from "../p2p/peer.js";
import { DEFAULT_MAX_TX_BYTES } from "./channel-table.js";
import { mempoolCodec } from "./codecs.js";
import { EmptyTxError, TxTooLargeError } from "./errors.js";

/** What {@link submitTx} needs of a `Switch`: its peers. */
export interface MempoolSwitch {
  readonly peers: ReadonlyMap<string, Peer>;
}

/** Options of {@link submitTx}. */
export interface SubmitTxOptions {
  /** The peers to send to (default: every peer whose NodeInfo lists the mempool channel). */
  readonly peers?: Iterable<Peer> | ((peer: Peer) => boolean);
  /**
   * The nodes' `mempool.max_tx_bytes`: a larger transaction fails with {@link TxTooLargeError}
   * before anything is sent (default {@link DEFAULT_MAX_TX_BYTES}, 1 MiB; v0.40's default is
   * 4 MiB: `defaultMaxTxBytes("v0.40")`).
   */
  readonly maxTxBytes?: number;
}

/** One peer's outcome: whether the transaction was queued for it. */
export interface TxDelivery {
  readonly peer: Peer;
  /** False when the peer lacks the mempool channel, has left, or its queue stayed full. */
  readonly queued: boolean;
}

/**
 * Sends `tx` in a `tendermint.mempool.Message` to the chosen peers and emits one
 * {@link TxDelivery} per peer as its queue takes it (or refuses it), then completes. A node that
 * accepts the transaction (its app's CheckTx) adds it to its mempool and gossips it on. A
 * transaction a node would answer by closing the connection fails before anything is sent: an
 * empty one with {@link EmptyTxError}, one over `maxTxBytes` with {@link TxTooLargeError}.
 *
 * ```
 * peers:   A B C
 * result:  --a-b-c|     a: { peer: A, queued: true } …
 * ```
 *
 * @example
 * const deliveries = await lastValueFrom(submitTx(sw, tx).pipe(toArray()));
 */
export function submitTx(sw: MempoolSwitch, tx: Uint8Array, options: SubmitTxOptions = {}): Observable<TxDelivery> {
  return defer(() => {
    const maxTxBytes = options.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;
    if (tx.length === 0) return throwError(() => new EmptyTxError());
    if (tx.length > maxTxBytes) return throwError(() => new TxTooLargeError(tx.length, maxTxBytes));
    const chosen = options.peers;
    const all = [...sw.peers.values()];
    const peers = chosen === undefined ? all.filter((p) => p.hasChannel(0x30)) : typeof chosen === "function" ? all.filter(chosen) : [...chosen];
    const bytes = mempoolCodec.encode({ sum: { $case: "txs", value: { txs: [tx] } } });
    return from(peers).pipe(mergeMap((peer) => peer.queue(0x30, bytes).pipe(map((queued) => ({ peer, queued })))));
  });
}
