/**
 * CometBFT's channels as each line's reactors declare them (`GetChannels()`): priority, send
 * queue, receive limits, and the codec of their messages. Declared on a {@link Switch} they
 * make `sw.channel(id).messages$` yield typed messages:
 *
 * <!-- not run: a fragment; the same calls run in test/integration/cometbft-typed-channels.test.ts -->
 * ```ts
 * sw.addReactor("consensus", { channels: consensusChannels("v0.38") });
 * sw.channel<ConsensusMessage>(0x20).messages$.subscribe(({ message }) => console.log(message.sum?.$case));
 * ```
 * @module
 */
import type { MessageCodec, SwitchChannelDescriptor } from "../p2p/reactor.js";
import { uvarintSize } from "../wire/uvarint.js";
import {
  blocksyncCodec,
  consensusCodec,
  evidenceCodec,
  mempoolCodec,
  pexCodec,
  statesyncCodec,
  type CometbftChannelId,
  type CometbftMessage,
} from "./codecs.js";
import { COMETBFT_LINES, type CometbftLine } from "./lines.js";

/** One of CometBFT's channels, with the values its reactor declares and the codec of its messages. */
export interface CometbftChannelDescriptor<T = unknown> extends SwitchChannelDescriptor {
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
  readonly codec: MessageCodec<T>;
}

/** CometBFT's default `mempool.max_tx_bytes` (1 MiB). */
export const DEFAULT_MAX_TX_BYTES = 1_048_576;

/**
 * The mempool channel's receive limit for a node whose `mempool.max_tx_bytes` is `maxTxBytes`:
 * the size of a `tendermint.mempool.Message` carrying one transaction of that size, as CometBFT
 * computes it (1,048,584 bytes by default).
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
 * Each channel's values. They are the same on every line from v0.34 (its default `blockchain`
 * reactor, v0) to v1.0, as read from each line's reactors (`GetChannels()`); a line that changes
 * one would take its line as a parameter here.
 */
function table(maxTxBytes: number): Record<CometbftChannelId, Omit<CometbftChannelDescriptor, "id">> {
  return {
    0x40: { name: "blocksync", priority: 5, sendQueueCapacity: 1000, recvBufferCapacity: 50 * 4096, recvMessageCapacity: BLOCKSYNC_MAX_MSG, codec: blocksyncCodec },
    0x20: { name: "consensus/state", priority: 6, sendQueueCapacity: 100, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: MB, codec: consensusCodec },
    0x21: { name: "consensus/data", priority: 10, sendQueueCapacity: 100, recvBufferCapacity: 50 * 4096, recvMessageCapacity: MB, codec: consensusCodec },
    0x22: { name: "consensus/vote", priority: 7, sendQueueCapacity: 100, recvBufferCapacity: 100 * 100, recvMessageCapacity: MB, codec: consensusCodec },
    0x23: { name: "consensus/vote-set-bits", priority: 1, sendQueueCapacity: 2, recvBufferCapacity: 1024, recvMessageCapacity: MB, codec: consensusCodec },
    0x30: { name: "mempool", priority: 5, sendQueueCapacity: 1, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: mempoolRecvMessageCapacity(maxTxBytes), codec: mempoolCodec },
    0x38: { name: "evidence", priority: 6, sendQueueCapacity: 1, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: MB, codec: evidenceCodec },
    0x60: { name: "statesync/snapshot", priority: 5, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 4_000_000, codec: statesyncCodec },
    0x61: { name: "statesync/chunk", priority: 3, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 16_000_000, codec: statesyncCodec },
    0x00: { name: "pex", priority: 1, sendQueueCapacity: 10, recvBufferCapacity: RECV_BUFFER, recvMessageCapacity: 64_000, codec: pexCodec },
  };
}

/** The order in which a node advertises its channels in NodeInfo (PEX last, when enabled). */
const ADVERTISED: readonly CometbftChannelId[] = [0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00];

/** Options of the descriptor functions. */
export interface CometbftChannelOptions {
  /** The node's `mempool.max_tx_bytes` (default 1 MiB): sets the mempool channel's receive limit. */
  readonly maxTxBytes?: number;
}

/**
 * The descriptor of CometBFT's channel `id` on `line`.
 * @throws {RangeError} for an unknown line or a channel CometBFT does not declare.
 */
export function cometbftChannel<Id extends CometbftChannelId>(line: CometbftLine, id: Id, options: CometbftChannelOptions = {}): CometbftChannelDescriptor<CometbftMessage<Id>> {
  // Checked at run time too: JavaScript callers and casts reach here with any value.
  const lines: readonly string[] = COMETBFT_LINES;
  if (!lines.includes(line)) throw new RangeError(`unknown CometBFT line ${line}; known: ${COMETBFT_LINES.join(", ")}`);
  const maxTxBytes = options.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;
  if (!Number.isSafeInteger(maxTxBytes) || maxTxBytes < 1) throw new RangeError(`maxTxBytes must be a positive integer, got ${maxTxBytes}`);
  const entry = (table(maxTxBytes) as Partial<Record<number, Omit<CometbftChannelDescriptor, "id">>>)[id];
  if (entry === undefined) throw new RangeError(`CometBFT declares no channel 0x${id.toString(16)}`);
  return { id, ...entry } as CometbftChannelDescriptor<CometbftMessage<Id>>;
}

const pick = <Id extends CometbftChannelId>(ids: readonly Id[]) => (line: CometbftLine, options?: CometbftChannelOptions) => ids.map((id) => cometbftChannel(line, id, options));

/** The consensus reactor's channels: 0x20 state, 0x21 data, 0x22 vote, 0x23 vote-set bits. */
export const consensusChannels: (line: CometbftLine) => CometbftChannelDescriptor<CometbftMessage<0x20>>[] = pick([0x20, 0x21, 0x22, 0x23] as const);
/** The mempool reactor's channel 0x30. */
export const mempoolChannels: (line: CometbftLine, options?: CometbftChannelOptions) => CometbftChannelDescriptor<CometbftMessage<0x30>>[] = pick([0x30] as const);
/** The evidence reactor's channel 0x38. */
export const evidenceChannels: (line: CometbftLine) => CometbftChannelDescriptor<CometbftMessage<0x38>>[] = pick([0x38] as const);
/** The blocksync reactor's channel 0x40. */
export const blocksyncChannels: (line: CometbftLine) => CometbftChannelDescriptor<CometbftMessage<0x40>>[] = pick([0x40] as const);
/** The statesync reactor's channels: 0x60 snapshots, 0x61 chunks. */
export const statesyncChannels: (line: CometbftLine) => CometbftChannelDescriptor<CometbftMessage<0x60>>[] = pick([0x60, 0x61] as const);
/** The PEX reactor's channel 0x00. */
export const pexChannels: (line: CometbftLine) => CometbftChannelDescriptor<CometbftMessage<0x00>>[] = pick([0x00] as const);

/** Every channel a node of `line` declares, in the order it advertises them (PEX last). */
export function cometbftChannels(line: CometbftLine, options?: CometbftChannelOptions): CometbftChannelDescriptor[] {
  return ADVERTISED.map((id) => cometbftChannel(line, id, options));
}
