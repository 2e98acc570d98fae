/**
 * The events {@link consensusEvents$} emits, and how one consensus message becomes one.
 * @module
 */
import type { Peer } from "../p2p/peer.js";
import type { Message as ConsensusMessage } from "../proto/tendermint/consensus/types.js";
import type { Timestamp } from "../proto/google/protobuf/timestamp.js";
import type { Header } from "../proto/tendermint/types/types.js";

/** CometBFT's round steps (`RoundStepType`), by number. */
export const ROUND_STEPS: Readonly<Record<number, string>> = {
  1: "NewHeight",
  2: "NewRound",
  3: "Propose",
  4: "Prevote",
  5: "PrevoteWait",
  6: "Precommit",
  7: "PrecommitWait",
  8: "Commit",
};

/** What every event carries: the first peer that told us, and when (the scheduler's `now()`). */
export interface ConsensusEventBase {
  readonly peer: Peer;
  readonly receivedAt: number;
  readonly height: bigint;
  readonly round: number;
}

/** A vote's kind. */
export type VoteType = "prevote" | "precommit";

/** One thing consensus did, as seen from the P2P layer (first report of it, from any peer). */
export type ConsensusEvent =
  /** A node entered a step (`NewRoundStep`); reported once per height, round and step. */
  | (ConsensusEventBase & { readonly kind: "roundStep"; readonly step: number; readonly stepName: string; readonly secondsSinceStartTime: bigint; readonly lastCommitRound: number })
  /** The round's proposal: the block id proposed and the proof-of-lock round (-1 for none). */
  | (ConsensusEventBase & { readonly kind: "proposal"; readonly polRound: number; readonly blockHash: Uint8Array; readonly partsTotal: number; readonly partsHash: Uint8Array; readonly timestamp: Timestamp | undefined })
  /** A validator's signed vote; `blockHash` is empty for a vote for nil, `partsTotal` and `partsHash` the block's part-set header. */
  | (ConsensusEventBase & {
      readonly kind: "vote";
      readonly type: VoteType;
      readonly validatorIndex: number;
      readonly validatorAddress: Uint8Array;
      readonly blockHash: Uint8Array;
      readonly partsTotal: number;
      readonly partsHash: Uint8Array;
      readonly timestamp: Timestamp | undefined;
    })
  /** One part of the proposed block; `total` is the part count its proof states. */
  | (ConsensusEventBase & { readonly kind: "blockPart"; readonly index: number; readonly total: number; readonly bytes: Uint8Array })
  /** A node announced it has validator `validatorIndex`'s vote. */
  | (ConsensusEventBase & { readonly kind: "hasVote"; readonly type: VoteType; readonly validatorIndex: number })
  /** Every part of a proposed block arrived and they decode: its header (proposer included) and size. */
  | (ConsensusEventBase & { readonly kind: "block"; readonly header: Header; readonly txs: number; readonly bytes: number })
  /**
   * Every part of a proposed block arrived but they do not make a block, or a proposal or part
   * broke CometBFT's limits on parts (more than 1,601, or one above 65,536 bytes): `reason` says which.
   */
  | (ConsensusEventBase & { readonly kind: "badBlock"; readonly reason: string });

/** The kind of a {@link ConsensusEvent}. */
export type ConsensusEventKind = ConsensusEvent["kind"];

const voteType = (type: number): VoteType | undefined => (type === 1 ? "prevote" : type === 2 ? "precommit" : undefined);

/**
 * The event a consensus message stands for and the key that makes it unique, or undefined for
 * kinds that are no event here (`NewValidBlock`, `ProposalPOL`, `VoteSetMaj23`, `VoteSetBits`,
 * `HasProposalBlockPart`) and votes of no known type.
 */
export function toConsensusEvent(peer: Peer, message: ConsensusMessage, receivedAt: number): { key: string; event: ConsensusEvent } | undefined {
  const sum = message.sum;
  switch (sum?.$case) {
    case "newRoundStep": {
      const { height, round, step, secondsSinceStartTime, lastCommitRound } = sum.value;
      const event = { kind: "roundStep", peer, receivedAt, height, round, step, stepName: ROUND_STEPS[step] ?? `step${step}`, secondsSinceStartTime, lastCommitRound } as const;
      return { key: `s/${height}/${round}/${step}`, event };
    }
    case "proposal": {
      const p = sum.value.proposal;
      if (p === undefined) return undefined;
      const id = p.blockId;
      const event = {
        kind: "proposal",
        peer,
        receivedAt,
        height: p.height,
        round: p.round,
        polRound: p.polRound,
        blockHash: id?.hash ?? new Uint8Array(0),
        partsTotal: id?.partSetHeader?.total ?? 0,
        partsHash: id?.partSetHeader?.hash ?? new Uint8Array(0),
        timestamp: p.timestamp,
      } as const;
      return { key: `p/${p.height}/${p.round}`, event };
    }
    case "vote": {
      const v = sum.value.vote;
      const type = v === undefined ? undefined : voteType(v.type);
      if (v === undefined || type === undefined) return undefined;
      const blockHash = v.blockId?.hash ?? new Uint8Array(0);
      const parts = v.blockId?.partSetHeader;
      const event = {
        kind: "vote",
        peer,
        receivedAt,
        height: v.height,
        round: v.round,
        type,
        validatorIndex: v.validatorIndex,
        validatorAddress: v.validatorAddress,
        blockHash,
        partsTotal: parts?.total ?? 0,
        partsHash: parts?.hash ?? new Uint8Array(0),
        timestamp: v.timestamp,
      } as const;
      // The block voted for is part of the key: a validator voting twice in a round shows twice.
      return { key: `v/${v.height}/${v.round}/${type}/${v.validatorIndex}/${Buffer.from(blockHash).toString("hex")}`, event };
    }
    case "blockPart": {
      const { height, round, part } = sum.value;
      if (part === undefined) return undefined;
      const event = { kind: "blockPart", peer, receivedAt, height, round, index: part.index, total: Number(part.proof?.total ?? 0n), bytes: part.bytes } as const;
      return { key: `b/${height}/${round}/${part.index}`, event };
    }
    case "hasVote": {
      const { height, round, index } = sum.value;
      const type = voteType(sum.value.type);
      if (type === undefined) return undefined;
      return { key: `h/${height}/${round}/${type}/${index}`, event: { kind: "hasVote", peer, receivedAt, height, round, type, validatorIndex: index } };
    }
    default:
      return undefined;
  }
}
