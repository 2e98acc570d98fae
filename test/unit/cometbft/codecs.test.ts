/**
 * rx-mconn/cometbft's codecs against bytes CometBFT encoded: messages real nodes of each line
 * sent us, and the kinds a single-validator node never sends by itself encoded by CometBFT's Go
 * types (test/vectors/cometbft-messages/, provenance in each file). Each decodes as the kind it
 * is, and encodes back to the very same bytes.
 */
import { expect } from "chai";
import { blocksyncCodec, cometbftChannel, consensusCodec, evidenceCodec, type CometbftChannelId } from "../../../src/cometbft/index.js";
import { readVectorFolder } from "../../helpers/vectors.js";

interface VectorFile {
  version: string;
  provenance: string;
  messages: { channel: number; type: string; hex: string }[];
}

const files = readVectorFolder("cometbft-messages")
  .filter(([name]) => name.endsWith(".json"))
  .map(([name, text]) => ({ name, ...(JSON.parse(text) as VectorFile) }));

/** Every kind of message each channel carries (the oneof cases of its schema, or the list). */
const KINDS: Record<number, string[]> = {
  0x20: ["newRoundStep", "newValidBlock", "hasVote", "voteSetMaj23", "hasProposalBlockPart"],
  0x21: ["proposal", "proposalPol", "blockPart"],
  0x22: ["vote"],
  0x23: ["voteSetBits"],
  0x30: ["txs"],
  0x38: ["evidenceList"],
  0x40: ["blockRequest", "noBlockResponse", "blockResponse", "statusRequest", "statusResponse"],
  0x60: ["snapshotsRequest", "snapshotsResponse"],
  0x61: ["chunkRequest", "chunkResponse"],
  0x00: ["pexRequest", "pexAddrs"],
};

const kindOf = (m: unknown) => (m as { sum?: { $case: string } }).sum?.$case ?? ("evidence" in (m as object) ? "evidenceList" : "none");

describe("rx-mconn/cometbft codecs on CometBFT-encoded bytes", () => {
  it("the vectors cover every message kind of every channel, and each file names its provenance", () => {
    const seen = new Set(files.flatMap((f) => f.messages.map((m) => `${m.channel}/${m.type.replace(/-.*$/, "")}`)));
    const missing = Object.entries(KINDS).flatMap(([ch, kinds]) => kinds.filter((k) => !seen.has(`${Number(ch)}/${k}`)).map((k) => `0x${Number(ch).toString(16)} ${k}`));
    expect(missing, "kinds without a vector").to.deep.equal([]);
    for (const f of files) expect(f.provenance, f.name).to.match(/CometBFT v\d/);
  });

  for (const f of files) {
    it(`${f.name}: ${f.messages.length} messages decode as their kind and encode back to CometBFT's bytes`, () => {
      for (const m of f.messages) {
        const { codec } = cometbftChannel("v1", m.channel as CometbftChannelId);
        const bytes = Buffer.from(m.hex, "hex");
        const what = `${f.name} 0x${m.channel.toString(16)} ${m.type}`;
        const decoded = codec.decode(bytes);
        expect(kindOf(decoded), what).to.equal(m.type.replace(/-.*$/, ""));
        expect(Buffer.from(codec.encode(decoded)).toString("hex"), what).to.equal(m.hex);
      }
    });
  }

  it("keeps what CometBFT's Go types put in: a vote's extension and its timestamp to the nanosecond, an extended commit", () => {
    const go = files.find((f) => f.name.startsWith("go-"))!;
    const hex = (type: string) => Buffer.from(go.messages.find((m) => m.type === type)!.hex, "hex");
    const vote = consensusCodec.decode(hex("vote"));
    if (vote.sum?.$case !== "vote") throw new Error("not a vote");
    expect(Buffer.from(vote.sum.value.vote!.extension).toString()).to.equal("extension");
    expect(vote.sum.value.vote!.timestamp).to.deep.equal({ seconds: 1_796_040_000n, nanos: 123_456_789 });
    const response = blocksyncCodec.decode(hex("blockResponse"));
    if (response.sum?.$case !== "blockResponse") throw new Error("not a block response");
    expect(response.sum.value.extCommit!.extendedSignatures[0].extensionSignature).to.have.length(64);
    expect(response.sum.value.block!.lastCommit!.signatures).to.have.length(2);
    const evidence = evidenceCodec.decode(hex("evidenceList")).evidence.map((e) => e.sum?.$case);
    expect(evidence).to.deep.equal(["duplicateVoteEvidence", "lightClientAttackEvidence"]);
  });
});
