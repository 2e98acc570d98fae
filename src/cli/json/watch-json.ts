/**
 * `rx-mconn watch --json`: one JSON object per line per consensus event, its fields named and
 * encoded as CometBFT's RPC writes the same data (its consensus events, `/block`'s header,
 * `/blockchain`'s block metas).
 * @module
 */
import type { ConsensusEvent } from "../../cometbft/consensus-event.js";
import { ROUND_STEPS } from "../../cometbft/consensus-event.js";
import { headerHash } from "../../cometbft/header-hash.js";
import { hex } from "../cometbft-peer.js";
import { headerJson, headerSchema } from "./block-json.js";
import { int, rfc3339, rfc3339Ms } from "./encode.js";
import { num, obj, oneOf, str, union, type JsonOf } from "./schema.js";

const STEP_NAMES: readonly string[] = [...Object.values(ROUND_STEPS).map((s) => `RoundStep${s}`), "RoundStepUnknown"];
const blockId = obj({ hash: str("hex", "the block's hash; `\"\"` for nil"), parts: obj({ total: num("how many parts"), hash: str("hex", "the Merkle root of the parts") }, "its part-set header") }, "the block id");

/** One line of `rx-mconn watch --json`. */
export const watchEventSchema = union(
  "kind",
  {
    height: str("int", "the height"),
    round: num("the round"),
    peer_id: str("node-id", "the node that told us first"),
    received_at: str("time", "when it reached us"),
    ms_after_round_start: num("milliseconds between the start of its round (the first `NewRound` or `Propose` step we saw) and its arrival"),
  },
  {
    round_step: {
      step: oneOf(STEP_NAMES, "the step the node entered, named as RPC's round-state events name it"),
      seconds_since_start_time: str("int", "seconds since the node started the height"),
      last_commit_round: num("the round the previous height was committed in"),
    },
    proposal: { pol_round: num("the proof-of-lock round, -1 for none"), block_id: blockId, timestamp: str("time", "the proposal's time") },
    vote: {
      type: num("1 prevote, 2 precommit (RPC's `SignedMsgType`)"),
      validator_index: num("the validator's index"),
      validator_address: str("hex", "the validator's address"),
      block_id: blockId,
      timestamp: str("time", "when it was signed"),
    },
    block_part: { index: num("the part's index, from 0"), total: num("how many parts the block has"), size: num("the part's size in bytes") },
    has_vote: { type: num("1 prevote, 2 precommit"), validator_index: num("the validator whose vote the node has") },
    block: { hash: str("hex", "the block's hash"), header: headerSchema, num_txs: str("int", "how many transactions it holds"), block_size: str("int", "its size in bytes (protobuf)") },
    bad_block: { reason: str("text", "why the parts make no block") },
  },
  "one consensus event",
);

/** One line of `rx-mconn watch --json`, parsed. */
export type WatchEventJson = JsonOf<typeof watchEventSchema>;

const voteType = (t: "prevote" | "precommit") => (t === "prevote" ? 1 : 2);

/** `e`, seen `ms` after its round started, as the object `watch --json` prints. */
export function watchEventJson(e: ConsensusEvent, ms: number): WatchEventJson {
  const base = { height: int(e.height), round: e.round, peer_id: e.peer.id, received_at: rfc3339Ms(e.receivedAt), ms_after_round_start: ms };
  switch (e.kind) {
    case "roundStep":
      return { kind: "round_step", ...base, step: `RoundStep${ROUND_STEPS[e.step] ?? "Unknown"}`, seconds_since_start_time: int(e.secondsSinceStartTime), last_commit_round: e.lastCommitRound };
    case "proposal":
      return { kind: "proposal", ...base, pol_round: e.polRound, block_id: { hash: hex(e.blockHash), parts: { total: e.partsTotal, hash: hex(e.partsHash) } }, timestamp: rfc3339(e.timestamp) };
    case "vote":
      return {
        kind: "vote",
        ...base,
        type: voteType(e.type),
        validator_index: e.validatorIndex,
        validator_address: hex(e.validatorAddress),
        block_id: { hash: hex(e.blockHash), parts: { total: e.partsTotal, hash: hex(e.partsHash) } },
        timestamp: rfc3339(e.timestamp),
      };
    case "blockPart":
      return { kind: "block_part", ...base, index: e.index, total: e.total, size: e.bytes.length };
    case "hasVote":
      return { kind: "has_vote", ...base, type: voteType(e.type), validator_index: e.validatorIndex };
    case "block":
      return { kind: "block", ...base, hash: hex(headerHash(e.header) ?? new Uint8Array(0)), header: headerJson(e.header), num_txs: int(e.txs), block_size: int(e.bytes) };
    case "badBlock":
      return { kind: "bad_block", ...base, reason: e.reason };
  }
}
