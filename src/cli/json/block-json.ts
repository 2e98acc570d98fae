/**
 * The file `rx-mconn blocks` writes per height: what a node's RPC `/block?height=H` returns as
 * its `result`, field for field (CometBFT's JSON: snake_case, hashes in upper-case hex, other
 * bytes in base64, 64-bit integers as strings). Evidence is written as v0.38's RPC writes it.
 * @module
 */
import { headerHash } from "../../cometbft/header-hash.js";
import { partSetHeader } from "../../cometbft/part-set.js";
import type { PublicKey } from "../../proto/tendermint/crypto/keys.js";
import type { Block } from "../../proto/tendermint/types/block.js";
import type { Evidence } from "../../proto/tendermint/types/evidence.js";
import type { BlockID, Commit, Header, LightBlock, Vote } from "../../proto/tendermint/types/types.js";
import type { Validator } from "../../proto/tendermint/types/validator.js";
import { hex } from "../cometbft-peer.js";
import { base64, base64OrNull, int, rfc3339 } from "./encode.js";
import { arr, nullable, num, obj, optional, str, union, type JsonOf } from "./schema.js";

const blockIdSchema = obj(
  { hash: str("hex", "the block's hash (its header's Merkle root); `\"\"` for none"), parts: obj({ total: num("how many parts the block travels in"), hash: str("hex", "the Merkle root of the parts") }, "the block's part-set header") },
  "a block id",
);

/** RPC's `Header`. */
export const headerSchema = obj(
  {
    version: obj({ block: str("int", "the block protocol version"), app: optional(str("int", "the application's version")) }, "the consensus versions"),
    chain_id: str("text", "the chain id"),
    height: str("int", "the block's height"),
    time: str("time", "the block's time"),
    last_block_id: blockIdSchema,
    last_commit_hash: str("hex", "hash of the last commit"),
    data_hash: str("hex", "hash of the transactions"),
    validators_hash: str("hex", "hash of this block's validators"),
    next_validators_hash: str("hex", "hash of the next block's validators"),
    consensus_hash: str("hex", "hash of the consensus parameters"),
    app_hash: str("hex", "the application's state after the previous block"),
    last_results_hash: str("hex", "hash of the previous block's transaction results"),
    evidence_hash: str("hex", "hash of the evidence"),
    proposer_address: str("hex", "the proposer's validator address"),
  },
  "the block's header",
);

const commitSchema = obj(
  {
    height: str("int", "the height committed"),
    round: num("the round it was committed in"),
    block_id: blockIdSchema,
    signatures: arr(
      obj(
        {
          block_id_flag: num("1 absent, 2 commit, 3 nil"),
          validator_address: str("hex", "the validator's address; `\"\"` when absent"),
          timestamp: str("time", "when it signed; `0001-01-01T00:00:00Z` when absent"),
          signature: nullable(str("base64", "the signature; `null` when absent")),
        },
        "one validator's commit signature, in validator-set order",
      ),
      "the commit's signatures",
    ),
  },
  "a commit",
);

const voteSchema = obj(
  {
    type: num("1 prevote, 2 precommit"),
    height: str("int", "the height voted at"),
    round: num("the round voted in"),
    block_id: blockIdSchema,
    timestamp: str("time", "when it was signed"),
    validator_address: str("hex", "the validator's address"),
    validator_index: num("the validator's index in the validator set"),
    signature: nullable(str("base64", "the signature")),
    extension: nullable(str("base64", "the vote extension")),
    extension_signature: nullable(str("base64", "the vote extension's signature")),
  },
  "a signed vote",
);

const validatorSchema = obj(
  {
    address: str("hex", "the validator's address"),
    pub_key: nullable(union("type", {}, { "tendermint/PubKeyEd25519": { value: str("base64", "the key") }, "tendermint/PubKeySecp256k1": { value: str("base64", "the key") }, "cometbft/PubKeyBls12_381": { value: str("base64", "the key") }, "cometbft/PubKeyMlDsa65": { value: str("base64", "the key") }, "tendermint/PubKeySecp256k1eth": { value: str("base64", "the key") } }, "the validator's public key")),
    voting_power: str("int", "its voting power"),
    proposer_priority: str("int", "its proposer priority"),
  },
  "a validator",
);

const evidenceSchema = union(
  "type",
  {},
  {
    "tendermint/DuplicateVoteEvidence": {
      value: obj({ vote_a: nullable(voteSchema), vote_b: nullable(voteSchema), TotalVotingPower: str("int", "the validator set's power"), ValidatorPower: str("int", "the validator's power"), Timestamp: str("time", "the time of the block at the evidence's height") }, "two conflicting votes of one validator"),
    },
    "tendermint/LightClientAttackEvidence": {
      value: obj(
        {
          ConflictingBlock: nullable(obj({ signed_header: nullable(obj({ header: nullable(headerSchema), commit: nullable(commitSchema) }, "the conflicting header and its commit")), validator_set: nullable(obj({ validators: arr(validatorSchema, "the validators"), proposer: nullable(validatorSchema) }, "its validator set")) }, "the conflicting light block")),
          CommonHeight: str("int", "the height the two chains share"),
          ByzantineValidators: arr(validatorSchema, "the validators that signed the conflicting block"),
          TotalVotingPower: str("int", "the validator set's power at the common height"),
          Timestamp: str("time", "the time of the block at the common height"),
        },
        "an attack on light clients",
      ),
    },
  },
  "one piece of evidence, as RPC wraps it (its Go type's name and value)",
);

/** `DIR/<height>.json` of `rx-mconn blocks`: RPC `/block`'s result. */
export const blockFileSchema = obj(
  {
    block_id: blockIdSchema,
    block: obj(
      {
        header: headerSchema,
        data: obj({ txs: arr(str("base64", "a transaction"), "the block's transactions") }, "the block's data"),
        evidence: obj({ evidence: arr(evidenceSchema, "the evidence") }, "the evidence the block holds"),
        last_commit: nullable(commitSchema),
      },
      "the block",
    ),
  },
  "a block and its id",
);

/** The JSON of one block file. */
export type BlockFileJson = JsonOf<typeof blockFileSchema>;
type HeaderJson = JsonOf<typeof headerSchema>;

const blockIdJson = (id: BlockID | undefined) => ({ hash: hex(id?.hash ?? new Uint8Array(0)), parts: { total: id?.partSetHeader?.total ?? 0, hash: hex(id?.partSetHeader?.hash ?? new Uint8Array(0)) } });

/** A header as RPC writes it. */
export function headerJson(h: Header): HeaderJson {
  const app = h.version?.app ?? 0n;
  return {
    version: { block: int(h.version?.block ?? 0n), ...(app === 0n ? {} : { app: int(app) }) },
    chain_id: h.chainId,
    height: int(h.height),
    time: rfc3339(h.time),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: hex(h.lastCommitHash),
    data_hash: hex(h.dataHash),
    validators_hash: hex(h.validatorsHash),
    next_validators_hash: hex(h.nextValidatorsHash),
    consensus_hash: hex(h.consensusHash),
    app_hash: hex(h.appHash),
    last_results_hash: hex(h.lastResultsHash),
    evidence_hash: hex(h.evidenceHash),
    proposer_address: hex(h.proposerAddress),
  };
}

const commitJson = (c: Commit) => ({
  height: int(c.height),
  round: c.round,
  block_id: blockIdJson(c.blockId),
  signatures: c.signatures.map((s) => ({ block_id_flag: s.blockIdFlag, validator_address: hex(s.validatorAddress), timestamp: rfc3339(s.timestamp), signature: base64OrNull(s.signature) })),
});

const voteJson = (v: Vote) => ({
  type: v.type as number,
  height: int(v.height),
  round: v.round,
  block_id: blockIdJson(v.blockId),
  timestamp: rfc3339(v.timestamp),
  validator_address: hex(v.validatorAddress),
  validator_index: v.validatorIndex,
  signature: base64OrNull(v.signature),
  extension: base64OrNull(v.extension),
  extension_signature: base64OrNull(v.extensionSignature),
});

const KEY_NAMES = {
  ed25519: "tendermint/PubKeyEd25519",
  secp256k1: "tendermint/PubKeySecp256k1",
  bls12381: "cometbft/PubKeyBls12_381",
  mldsa65: "cometbft/PubKeyMlDsa65",
  secp256k1eth: "tendermint/PubKeySecp256k1eth",
} as const;

/** The key as RPC wraps it; v1 may send it as bytes and a type name (`ed25519`) instead. */
function pubKeyJson(k: PublicKey | undefined, bytes: Uint8Array, type: string) {
  if (k?.sum !== undefined) return { type: KEY_NAMES[k.sum.$case], value: base64(k.sum.value) };
  const named = Object.entries(KEY_NAMES).find(([name]) => name === type.replace(/[^a-z0-9]/gi, "").toLowerCase());
  return named === undefined || bytes.length === 0 ? null : { type: named[1], value: base64(bytes) };
}

const validatorJson = (v: Validator) => ({ address: hex(v.address), pub_key: pubKeyJson(v.pubKey, v.pubKeyBytes, v.pubKeyType), voting_power: int(v.votingPower), proposer_priority: int(v.proposerPriority) });

const lightBlockJson = (b: LightBlock) => ({
  signed_header: b.signedHeader === undefined ? null : { header: b.signedHeader.header === undefined ? null : headerJson(b.signedHeader.header), commit: b.signedHeader.commit === undefined ? null : commitJson(b.signedHeader.commit) },
  validator_set: b.validatorSet === undefined ? null : { validators: b.validatorSet.validators.map(validatorJson), proposer: b.validatorSet.proposer === undefined ? null : validatorJson(b.validatorSet.proposer) },
});

function evidenceJson(e: Evidence): BlockFileJson["block"]["evidence"]["evidence"][number] | undefined {
  switch (e.sum?.$case) {
    case "duplicateVoteEvidence": {
      const d = e.sum.value;
      return { type: "tendermint/DuplicateVoteEvidence", value: { vote_a: d.voteA === undefined ? null : voteJson(d.voteA), vote_b: d.voteB === undefined ? null : voteJson(d.voteB), TotalVotingPower: int(d.totalVotingPower), ValidatorPower: int(d.validatorPower), Timestamp: rfc3339(d.timestamp) } };
    }
    case "lightClientAttackEvidence": {
      const l = e.sum.value;
      return {
        type: "tendermint/LightClientAttackEvidence",
        value: { ConflictingBlock: l.conflictingBlock === undefined ? null : lightBlockJson(l.conflictingBlock), CommonHeight: int(l.commonHeight), ByzantineValidators: l.byzantineValidators.map(validatorJson), TotalVotingPower: int(l.totalVotingPower), Timestamp: rfc3339(l.timestamp) },
      };
    }
    default:
      return undefined;
  }
}

/**
 * `block` as RPC `/block` returns it, with its id (header hash and part-set header, computed
 * here). Undefined for a block without a header or validators hash (it has no hash).
 */
export function blockJson(block: Block): BlockFileJson | undefined {
  const header = block.header;
  const hash = header === undefined ? undefined : headerHash(header);
  if (header === undefined || hash === undefined) return undefined;
  return {
    block_id: blockIdJson({ hash, partSetHeader: partSetHeader(block) }),
    block: {
      header: headerJson(header),
      data: { txs: (block.data?.txs ?? []).map(base64) },
      evidence: { evidence: (block.evidence?.evidence ?? []).flatMap((e) => evidenceJson(e) ?? []) },
      last_commit: block.lastCommit === undefined ? null : commitJson(block.lastCommit),
    },
  };
}
