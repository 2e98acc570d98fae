/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * `rx-mconn/cometbft`: CometBFT's channels, typed. Descriptors with each line's priorities and
 * capacities and a codec per channel, generated from CometBFT's published schemas, so that a
 * `Switch` yields decoded messages; and helpers on them ({@link fetchBlock}, {@link submitTx}):
 *
 * <!-- not run: a fragment; the same calls run in test/integration/cometbft-typed-channels.test.ts -->
 * ```ts
 * import { consensusChannels, type ConsensusMessage } from "rx-mconn/cometbft";
 * sw.addReactor("consensus", { channels: consensusChannels("v0.38") });
 * sw.channel<ConsensusMessage>(0x20).messages$.subscribe(({ peer, message }) => …);
 * ```
 * @module rx-mconn/cometbft
 */
export { COMETBFT_LINES, cometbftLine, type CometbftLine, type CometbftLineOptions } from "./lines.js";
export {
  BlocksyncMessage,
  ConsensusMessage,
  EvidenceList,
  MempoolMessage,
  PexMessage,
  StatesyncMessage,
  blocksyncCodec,
  consensusCodec,
  evidenceCodec,
  mempoolCodec,
  pexCodec,
  statesyncCodec,
  type CometbftChannelId,
  type CometbftMessage,
  type CometbftMessages,
} from "./codecs.js";
export {
  DEFAULT_MAX_TX_BYTES,
  blocksyncChannels,
  defaultMaxTxBytes,
  cometbftChannel,
  cometbftChannels,
  consensusChannels,
  evidenceChannels,
  mempoolChannels,
  mempoolRecvMessageCapacity,
  pexChannels,
  statesyncChannels,
  type CometbftChannelDescriptor,
  type CometbftChannelOptions,
} from "./channels.js";
export { BlockNotAvailableError, BlockRequestTimeoutError, EmptyTxError, PeerLeftError, SendRefusedError, TxTooLargeError } from "./errors.js";
export { fetchBlock, type BlocksyncSwitch, type FetchBlockOptions } from "./fetch-block.js";
export { submitTx, type MempoolSwitch, type SubmitTxOptions, type TxDelivery } from "./submit-tx.js";
export { headerHash } from "./header-hash.js";
export { partSetHeader } from "./part-set.js";
export { merkleRoot } from "./merkle.js";
export { blocks$, type BlocksOptions, type BlocksSwitch } from "./blocks.js";
export { consensusEvents$, type ConsensusEventsOptions, type ConsensusSwitch } from "./consensus-events.js";
export { ROUND_STEPS, type ConsensusEvent, type ConsensusEventBase, type ConsensusEventKind, type VoteType } from "./consensus-event.js";
export { followRounds, type FollowRoundsOptions } from "./follow-rounds.js";
