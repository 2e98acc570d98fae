import { expect } from "chai";
import { readFileSync } from "node:fs";
import { blocksyncCodec, consensusCodec, partSetHeader, type ConsensusEvent } from "../../../src/cometbft/index.js";
import { blockFileSchema, blockJson, headerJson } from "../../../src/cli/json/block-json.js";
import { crawlSchema } from "../../../src/cli/json/crawl-json.js";
import { rfc3339, rfc3339Ms } from "../../../src/cli/json/encode.js";
import { encodingsTable, schemaTable, type Field } from "../../../src/cli/json/schema.js";
import { txSchema } from "../../../src/cli/json/tx-json.js";
import { watchEventJson, watchEventSchema } from "../../../src/cli/json/watch-json.js";
import type { Peer } from "../../../src/p2p/peer.js";
import { Block } from "../../../src/proto/tendermint/types/block.js";
import { SignedMsgType, type Vote } from "../../../src/proto/tendermint/types/types.js";
import type { Validator } from "../../../src/proto/tendermint/types/validator.js";
import { fieldKeys, schemaProblems } from "../../../src/cli/json/check.js";
import { fromRpc, type HeaderVectors } from "../../helpers/rpc-header.js";
import { readVectors } from "../../helpers/vectors.js";

type Recorded = { messages: { channel: number; type: string; hex: string }[] };
const VERSIONS = ["v0.34.35", "v0.37.18", "v0.38.26", "v0.39.4", "v0.40.0", "v1.0.1"];
const recorded = (version: string, type: string) => readVectors<Recorded>(`cometbft-messages/${version}.json`).messages.find((m) => m.type === type);
const template = ((m) => (m.sum?.$case === "blockResponse" ? m.sum.value.block! : undefined))(blocksyncCodec.decode(Buffer.from(recorded("v0.38.26", "blockResponse")!.hex, "hex")))!;

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const time = { seconds: 1_700_000_000n, nanos: 120_000_000 };
const blockId = { hash: bytes(32, 1), partSetHeader: { total: 2, hash: bytes(32, 2) } };
const vote = (type: SignedMsgType, signature: Uint8Array): Vote => ({ type, height: 5n, round: 1, blockId, timestamp: time, validatorAddress: bytes(20, 3), validatorIndex: 2, signature, extension: new Uint8Array(0), extensionSignature: new Uint8Array(0) });
const validator = (key: "ed25519" | "secp256k1" | "bls12381" | "mldsa65" | "secp256k1eth"): Validator => ({ address: bytes(20, 4), pubKey: { sum: { $case: key, value: bytes(32, 5) } }, votingPower: 10n, proposerPriority: -3n, pubKeyBytes: new Uint8Array(0), pubKeyType: "" });

/** A block with a transaction, a last commit and one piece of evidence of each kind. */
function busyBlock(): Block {
  const validators = (["ed25519", "secp256k1", "bls12381", "mldsa65", "secp256k1eth"] as const).map(validator);
  return {
    ...template,
    data: { txs: [new TextEncoder().encode("name=satoshi")] },
    evidence: {
      evidence: [
        { sum: { $case: "duplicateVoteEvidence", value: { voteA: vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, bytes(64, 6)), voteB: vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, new Uint8Array(0)), totalVotingPower: 40n, validatorPower: 10n, timestamp: time } } },
        // one attack per key type, so that each proposer key type shows
        ...validators.map((proposer) => ({
          sum: {
            $case: "lightClientAttackEvidence" as const,
            value: {
              conflictingBlock: { signedHeader: { header: template.header, commit: template.lastCommit }, validatorSet: { validators, proposer, totalVotingPower: 50n } },
              commonHeight: 3n,
              byzantineValidators: validators,
              totalVotingPower: 50n,
              timestamp: time,
            },
          },
        })),
      ],
    },
  };
}

const peer = { id: "ab".repeat(20) } as unknown as Peer;
const base = { peer, receivedAt: 1_700_000_000_123, height: 7n, round: 0 };
const EVENTS: ConsensusEvent[] = [
  { ...base, kind: "roundStep", step: 3, stepName: "Propose", secondsSinceStartTime: 2n, lastCommitRound: 0 },
  { ...base, kind: "proposal", polRound: -1, blockHash: bytes(32, 1), partsTotal: 1, partsHash: bytes(32, 2), timestamp: time },
  { ...base, kind: "vote", type: "precommit", validatorIndex: 1, validatorAddress: bytes(20, 3), blockHash: new Uint8Array(0), partsTotal: 0, partsHash: new Uint8Array(0), timestamp: undefined },
  { ...base, kind: "blockPart", index: 0, total: 1, bytes: bytes(100, 0) },
  { ...base, kind: "hasVote", type: "prevote", validatorIndex: 1 },
  { ...base, kind: "block", header: template.header!, txs: 0, bytes: 889 },
  { ...base, kind: "badBlock", reason: "parts make no block" },
];

describe("the tools' JSON (src/cli/json)", () => {
  it("writes a header as a node's RPC does: every header of the recorded blocks of four lines, field for field", () => {
    for (const version of ["v0.34.35", "v0.38.26", "v0.40.0", "v1.0.1"])
      for (const b of readVectors<HeaderVectors>(`cometbft-headers/${version}.json`).blocks) expect(headerJson(fromRpc(b.header)), `${version} height ${b.height}`).to.deep.equal(b.header);
  });

  it("writes times as Go does: UTC, nanoseconds without trailing zeros, none for whole seconds, a missing time as the zero time", () => {
    expect(rfc3339({ seconds: 1_700_000_000n, nanos: 0 })).to.equal("2023-11-14T22:13:20Z");
    expect(rfc3339({ seconds: 1_700_000_000n, nanos: 120_000_000 })).to.equal("2023-11-14T22:13:20.12Z");
    expect(rfc3339({ seconds: 1_700_000_000n, nanos: 1 })).to.equal("2023-11-14T22:13:20.000000001Z");
    expect(rfc3339(undefined)).to.equal("0001-01-01T00:00:00Z");
    expect(rfc3339Ms(1_700_000_000_120)).to.equal("2023-11-14T22:13:20.12Z");
  });

  it("partSetHeader: a recorded block part re-encodes to the bytes its node sent, and its part-set header is the one the proposal names (every line)", () => {
    const compared: string[] = [];
    for (const version of VERSIONS) {
      const part = consensusCodec.decode(Buffer.from(recorded(version, "blockPart")!.hex, "hex"));
      const proposal = consensusCodec.decode(Buffer.from(recorded(version, "proposal")!.hex, "hex"));
      if (part.sum?.$case !== "blockPart" || proposal.sum?.$case !== "proposal") throw new Error(`${version}: no part or proposal`);
      const sent = part.sum.value.part!.bytes;
      const block = Block.decode(sent);
      expect(Buffer.from(Block.encode(block).finish()).equals(Buffer.from(sent)), version).to.equal(true);
      // a single-part block: its part-set header is the proposal's when both are of the same height
      if (proposal.sum.value.proposal!.height === part.sum.value.height && proposal.sum.value.proposal!.blockId!.partSetHeader!.total === 1) {
        expect(partSetHeader(block), version).to.deep.equal(proposal.sum.value.proposal!.blockId!.partSetHeader);
        compared.push(version);
      }
    }
    expect(compared, "lines whose recorded part and proposal are of one block").to.deep.equal(["v0.34.35", "v0.38.26"]);
  });

  it("blockJson: a block with a transaction, a last commit and both kinds of evidence shows every field of its schema, each as the schema says", () => {
    const json = blockJson(busyBlock())!;
    const seen = new Set<string>();
    expect(schemaProblems(blockFileSchema, JSON.parse(JSON.stringify(json)), seen)).to.deep.equal([]);
    expect(fieldKeys(blockFileSchema).filter((k) => !seen.has(k))).to.deep.equal([]);
    expect(json.block.evidence.evidence.map((e) => e.type)).to.deep.equal(["tendermint/DuplicateVoteEvidence", ...Array<string>(5).fill("tendermint/LightClientAttackEvidence")]);
    // a missing signature is null, as Go writes a nil []byte
    const duplicate = json.block.evidence.evidence[0];
    if (duplicate.type !== "tendermint/DuplicateVoteEvidence") throw new Error("not a duplicate vote");
    expect([duplicate.value.vote_a!.signature, duplicate.value.vote_b!.signature]).to.deep.equal([Buffer.from(bytes(64, 6)).toString("base64"), null]);
    expect(blockJson({ ...template, header: undefined })).to.equal(undefined);
  });

  it("watchEventJson: each kind of event shows every field of its schema, each as the schema says", () => {
    const seen = new Set<string>();
    for (const e of EVENTS) expect(schemaProblems(watchEventSchema, JSON.parse(JSON.stringify(watchEventJson(e, 12))), seen), e.kind).to.deep.equal([]);
    expect(fieldKeys(watchEventSchema).filter((k) => !seen.has(k))).to.deep.equal([]);
    expect(watchEventJson(EVENTS[2], 12)).to.include({ kind: "vote", type: 2, timestamp: "0001-01-01T00:00:00Z", received_at: "2023-11-14T22:13:20.123Z", peer_id: peer.id });
    expect(watchEventJson(EVENTS[0], 0)).to.include({ kind: "round_step", step: "RoundStepPropose" });
  });

  it("the checker finds a wrong encoding, a missing field, an extra field and an unknown kind", () => {
    const good = watchEventJson(EVENTS[4], 1);
    expect(schemaProblems(watchEventSchema, { ...good, height: 7 })).to.deep.equal(["$.height: number where string is due"]);
    expect(schemaProblems(watchEventSchema, { ...good, peer_id: "AB".repeat(20) })[0]).to.match(/^\$\.peer_id: .* is not node-id$/);
    const missing: Record<string, unknown> = { ...good };
    delete missing["round"];
    expect(schemaProblems(watchEventSchema, missing)).to.deep.equal(["$.round: missing"]);
    expect(schemaProblems(watchEventSchema, { ...good, extra: 1 })).to.deep.equal(["$.extra: not in the schema"]);
    expect(schemaProblems(watchEventSchema, { ...good, kind: "hasVote" })[0]).to.match(/^\$\.kind: "hasVote" is none of /);
  });

  it("docs/cometbft.md shows each output's schema as the description in code renders it", () => {
    const docs = readFileSync("docs/cometbft.md", "utf8");
    const schemas: [string, Field][] = [
      ["blocks", blockFileSchema],
      ["watch", watchEventSchema],
      ["crawl", crawlSchema],
      ["tx", txSchema],
    ];
    expect(docs, "the encodings").to.include(`<!-- schema: encodings -->\n${encodingsTable().join("\n")}\n<!-- /schema -->`);
    for (const [name, schema] of schemas) expect(docs, `the ${name} schema (regenerate the table from src/cli/json)`).to.include(`<!-- schema: ${name} -->\n${schemaTable(schema).join("\n")}\n<!-- /schema -->`);
  });
});
