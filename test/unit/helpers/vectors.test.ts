import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingVectorError, readVectorFolder, readVectors, readVectorText, vectorPath, vectorsDir } from "../../helpers/vectors.js";

describe("test vectors kept in the repository", () => {
  it("live in test/vectors beside the tests, whatever the working directory", () => {
    expect(vectorsDir.replaceAll("\\", "/")).to.match(/\/test\/vectors\/?$/);
    expect(vectorPath("cometbft/extracted.json").startsWith(vectorsDir.replace(/\/$/, ""))).to.equal(true);
  });

  it("a missing file gives a MissingVectorError naming the file and how to restore it", () => {
    const empty = mkdtempSync(join(tmpdir(), "rx-mconn-vectors-"));
    try {
      for (const read of [readVectors, readVectorText, readVectorFolder]) {
        let caught: unknown;
        try {
          read("cometbft/derived-handshake.json", empty);
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(MissingVectorError);
        const err = caught as MissingVectorError;
        expect(err.relative).to.equal("cometbft/derived-handshake.json");
        expect(err.path).to.equal(join(empty, "cometbft/derived-handshake.json"));
        expect(err.message).to.contain('"cometbft/derived-handshake.json" is missing').and.contain("test/vectors/README.md");
        expect(err.message).not.to.contain("ENOENT");
      }
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});
