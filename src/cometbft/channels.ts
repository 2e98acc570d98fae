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
import { ConfigError } from "../error-base.js";
import type { MessageCodec } from "../p2p/reactor.js";
import { channelTable, defaultMaxTxBytes, type CometbftChannel } from "./channel-table.js";
import { blocksyncCodec, consensusCodec, evidenceCodec, mempoolCodec, pexCodec, statesyncCodec, type CometbftChannelId, type CometbftMessage } from "./codecs.js";
import { COMETBFT_LINES, type CometbftLine } from "./lines.js";

export { DEFAULT_MAX_TX_BYTES, defaultMaxTxBytes, mempoolRecvMessageCapacity } from "./channel-table.js";

/** One of CometBFT's channels, with the values its reactor declares and the codec of its messages. */
export interface CometbftChannelDescriptor<T = unknown> extends CometbftChannel {
  readonly codec: MessageCodec<T>;
}

/** Each channel's codec. */
const CODECS: { readonly [Id in CometbftChannelId]: MessageCodec<CometbftMessage<Id>> } = {
  0x00: pexCodec,
  0x20: consensusCodec,
  0x21: consensusCodec,
  0x22: consensusCodec,
  0x23: consensusCodec,
  0x30: mempoolCodec,
  0x38: evidenceCodec,
  0x40: blocksyncCodec,
  0x60: statesyncCodec,
  0x61: statesyncCodec,
};

/** Options of the descriptor functions. */
export interface CometbftChannelOptions {
  /**
   * The nodes' `mempool.max_tx_bytes` (default: the line's, {@link defaultMaxTxBytes}: 4 MiB on
   * v0.40, 1 MiB on the others): sets the mempool channel's receive limit.
   */
  readonly maxTxBytes?: number;
}

/**
 * The descriptor of CometBFT's channel `id` on `line`.
 * @throws {ConfigError} for an unknown line or a channel CometBFT does not declare.
 */
export function cometbftChannel<Id extends CometbftChannelId>(line: CometbftLine, id: Id, options: CometbftChannelOptions = {}): CometbftChannelDescriptor<CometbftMessage<Id>> {
  // Checked at run time too: JavaScript callers and casts reach here with any value.
  const lines: readonly string[] = COMETBFT_LINES;
  if (!lines.includes(line)) throw new ConfigError(`unknown CometBFT line ${line}; known: ${COMETBFT_LINES.join(", ")}`);
  const maxTxBytes = options.maxTxBytes ?? defaultMaxTxBytes(line);
  if (!Number.isSafeInteger(maxTxBytes) || maxTxBytes < 1) throw new ConfigError(`maxTxBytes must be a positive integer, got ${maxTxBytes}`);
  const entry = channelTable(maxTxBytes).find((c) => c.id === id);
  if (entry === undefined) throw new ConfigError(`CometBFT declares no channel 0x${id.toString(16)}`);
  return { ...entry, codec: CODECS[id] };
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
  return channelTable().map((c) => cometbftChannel(line, c.id, options));
}
