/**
 * CometBFT's channels as each line's reactors declare them (`GetChannels()`): the values alone,
 * without codecs, so that the root entry can name channels without loading the schemas.
 * {@link cometbftChannel} adds each channel's codec.
 * @module
 */
import type { SwitchChannelDescriptor } from "../p2p/reactor.js";
import { uvarintSize } from "../wire/uvarint.js";
// Type-only: erased from the output, so the root entry loads no schema through this module.
import type { CometbftChannelId } from "./codecs.js";
import type { CometbftLine } from "./lines.js";

export type { CometbftChannelId } from "./codecs.js";

/** One of CometBFT's built-in channels, with the values its reactor declares. */
export interface CometbftChannel extends SwitchChannelDescriptor {
  readonly id: CometbftChannelId;
  /** The reactor and stream, e.g. `"consensus/vote"`. */
  readonly name: string;
  readonly priority: number;
  readonly sendQueueCapacity: number;
  readonly recvMessageCapacity: number;
  /**
   * The size of CometBFT's receive buffer for the channel, in bytes (its `RecvBufferCapacity`).
   * For reference: our reassembly grows as a message arrives, up to `recvMessageCapacity`.
   */
  readonly recvBufferCapacity: number;
}

/** CometBFT's default `mempool.max_tx_bytes` on every line up to v0.39 and on v1 (1 MiB). */
export const DEFAULT_MAX_TX_BYTES = 1_048_576;

/**
 * CometBFT's default `mempool.max_tx_bytes` on `line`: 4 MiB on v0.40 (raised for the larger
 * `ml-dsa-65` signatures), {@link DEFAULT_MAX_TX_BYTES} on the others.
 */
export function defaultMaxTxBytes(line: CometbftLine): number {
  return line === "v0.40" ? 4 * 1_048_576 : DEFAULT_MAX_TX_BYTES;
}

/**
 * The mempool channel's receive limit for a node whose `mempool.max_tx_bytes` is `maxTxBytes`:
 * the size of a `tendermint.mempool.Message` carrying one transaction of that size, as CometBFT
 * computes it (1,048,584 bytes for 1 MiB, v0.40's 4 MiB: 4,194,314).
 */
export function mempoolRecvMessageCapacity(maxTxBytes = DEFAULT_MAX_TX_BYTES): number {
  const txs = 1 + uvarintSize(maxTxBytes) + maxTxBytes; // Txs { repeated bytes txs = 1 }
  return 1 + uvarintSize(txs) + txs; // Message { oneof sum { Txs txs = 1 } }
}

const MB = 1_048_576;
/** CometBFT's default receive buffer (`defaultRecvBufferCapacity`). */
const RECV_BUFFER = 4096;
/** `types.MaxBlockSizeBytes` plus the 4-byte length prefix and 1-byte field key of a `BlockResponse`. */
const BLOCKSYNC_MAX_MSG = 104_857_600 + 4 + 1;

/**
 * Each channel's values, in the order a node advertises them (PEX last). They are the same on
 * every line from v0.34 (its default `blockchain` reactor, v0) to v0.40 and v1.0, as read from
 * each line's reactors, but for the mempool limit, which follows `max_tx_bytes` (whose default
 * differs by line: {@link defaultMaxTxBytes}).
 */
export function channelTable(maxTxBytes = DEFAULT_MAX_TX_BYTES): readonly CometbftChannel[] {
  return [
    { id: 0x40, name: "blocksync", priority: 5, sendQueueCapacity: 1000, recvBufferCapacity: 50 * 4096, recvMessageCapacity: BLOCKSYNC_MAX_MSG },
    { id: 0x20, name: "consensus/state", priority: 6, sendQueueCapacity: 100, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: MB },
    { id: 0x21, name: "consensus/data", priority: 10, sendQueueCapacity: 100, recvBufferCapacity: 50 * 4096, recvMessageCapacity: MB },
    { id: 0x22, name: "consensus/vote", priority: 7, sendQueueCapacity: 100, recvBufferCapacity: 100 * 100, recvMessageCapacity: MB },
    { id: 0x23, name: "consensus/vote-set-bits", priority: 1, sendQueueCapacity: 2, recvBufferCapacity: 1024, recvMessageCapacity: MB },
    { id: 0x30, name: "mempool", priority: 5, sendQueueCapacity: 1, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: mempoolRecvMessageCapacity(maxTxBytes) },
    { id: 0x38, name: "evidence", priority: 6, sendQueueCapacity: 1, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: MB },
    { id: 0x60, name: "statesync/snapshot", priority: 5, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 4_000_000 },
    { id: 0x61, name: "statesync/chunk", priority: 3, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 16_000_000 },
    { id: 0x00, name: "pex", priority: 1, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 64_000 },
  ];
}

/** CometBFT's channels (every line alike, default `max_tx_bytes`), in the order a node advertises them; raw bytes, no codec. */
export const COMETBFT_CHANNELS: readonly CometbftChannel[] = channelTable();

/** The name of CometBFT's channel `id` (e.g. `"consensus/vote"`), or its hex id. */
export function cometbftChannelName(id: number): string {
  return COMETBFT_CHANNELS.find((c) => c.id === id)?.name ?? `0x${id.toString(16).padStart(2, "0")}`;
}
