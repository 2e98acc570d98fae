/**
 * Codecs for the messages of CometBFT's channels, on the ts-proto types generated from its
 * published schemas. One set serves every line: where a line added a message or a field
 * (v0.38's vote extensions and extended commits, v1's `HasProposalBlockPart`), the schemas
 * carry it, and a line that does not send it simply leaves it out.
 * @module
 */
import { protoCodec, type MessageCodec } from "../p2p/reactor.js";
import { Message as BlocksyncMessage } from "../proto/tendermint/blocksync/types.js";
import { Message as ConsensusMessage } from "../proto/tendermint/consensus/types.js";
import { Message as MempoolMessage } from "../proto/tendermint/mempool/types.js";
import { Message as PexMessage } from "../proto/tendermint/p2p/pex.js";
import { Message as StatesyncMessage } from "../proto/tendermint/statesync/types.js";
import { EvidenceList } from "../proto/tendermint/types/evidence.js";

export { BlocksyncMessage, ConsensusMessage, EvidenceList, MempoolMessage, PexMessage, StatesyncMessage };

/** `tendermint.consensus.Message`: channels 0x20 (state), 0x21 (data), 0x22 (vote), 0x23 (vote-set bits). */
export const consensusCodec: MessageCodec<ConsensusMessage> = protoCodec(ConsensusMessage);
/** `tendermint.mempool.Message` (a batch of transactions): channel 0x30. */
export const mempoolCodec: MessageCodec<MempoolMessage> = protoCodec(MempoolMessage);
/** `tendermint.types.EvidenceList`: channel 0x38. */
export const evidenceCodec: MessageCodec<EvidenceList> = protoCodec(EvidenceList);
/** `tendermint.blocksync.Message` (`tendermint.blockchain` in v0.34): channel 0x40. */
export const blocksyncCodec: MessageCodec<BlocksyncMessage> = protoCodec(BlocksyncMessage);
/** `tendermint.statesync.Message`: channels 0x60 (snapshots) and 0x61 (chunks). */
export const statesyncCodec: MessageCodec<StatesyncMessage> = protoCodec(StatesyncMessage);
/** `tendermint.p2p.Message` (PEX): channel 0x00. */
export const pexCodec: MessageCodec<PexMessage> = protoCodec(PexMessage);

/** The message type of each of CometBFT's channels, by id: `sw.channel<CometbftMessage<0x20>>(0x20)`. */
export interface CometbftMessages {
  0x00: PexMessage;
  0x20: ConsensusMessage;
  0x21: ConsensusMessage;
  0x22: ConsensusMessage;
  0x23: ConsensusMessage;
  0x30: MempoolMessage;
  0x38: EvidenceList;
  0x40: BlocksyncMessage;
  0x60: StatesyncMessage;
  0x61: StatesyncMessage;
}

/** The id of one of CometBFT's channels. */
export type CometbftChannelId = keyof CometbftMessages;

/** The message type of CometBFT's channel `Id`. */
export type CometbftMessage<Id extends CometbftChannelId> = CometbftMessages[Id];
