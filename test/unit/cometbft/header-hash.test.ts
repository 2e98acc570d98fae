import { expect } from "chai";
import { createHash } from "node:crypto";
import { headerHash, merkleRoot } from "../../../src/cometbft/index.js";
import { fromRpc, type HeaderVectors } from "../../helpers/rpc-header.js";
import { readVectors } from "../../helpers/vectors.js";

const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString("hex").toUpperCase();
const sha = (...parts: number[][]) => new Uint8Array(createHash("sha256").update(Buffer.from(parts.flat())).digest());

describe("headerHash", () => {
  for (const version of ["v0.34.35", "v0.38.26", "v0.40.0", "v1.0.1"]) {
    it(`equals the block hash a CometBFT ${version} node's RPC reports, for the first block and blocks with transactions`, () => {
      const { blocks } = readVectors<HeaderVectors>(`cometbft-headers/${version}.json`);
      expect(blocks.some((b) => b.height === 1)).to.equal(true);
      expect(blocks.some((b) => b.txs > 0)).to.equal(true);
      for (const b of blocks) expect(hex(headerHash(fromRpc(b.header))), `height ${b.height}`).to.equal(b.hash);
    });
  }

  it("changes with any field, and is undefined without a validators hash", () => {
    const { blocks } = readVectors<HeaderVectors>("cometbft-headers/v1.0.1.json");
    const header = fromRpc(blocks[1].header);
    const original = hex(headerHash(header));
    expect(hex(headerHash({ ...header, height: header.height + 1n }))).to.not.equal(original);
    expect(hex(headerHash({ ...header, chainId: `${header.chainId}x` }))).to.not.equal(original);
    expect(hex(headerHash({ ...header, lastBlockId: undefined }))).to.not.equal(original);
    expect(headerHash({ ...header, validatorsHash: new Uint8Array(0) })).to.equal(undefined);
  });
});

describe("merkleRoot", () => {
  it("hashes no items to sha256(''), one to sha256(0 ‖ leaf), and splits at the largest power of two below the count", () => {
    expect(merkleRoot([])).to.deep.equal(sha());
    const [a, b, c] = [[1], [2], [3]];
    const leaf = (x: number[]) => [...sha([0], x)];
    expect(merkleRoot([Uint8Array.from(a)])).to.deep.equal(sha([0], a));
    const ab = [...sha([1], leaf(a), leaf(b))];
    expect(merkleRoot([a, b, c].map((x) => Uint8Array.from(x)))).to.deep.equal(sha([1], ab, leaf(c)));
  });
});
