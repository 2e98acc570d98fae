/**
 * The matrix covers every line the Go module proxy serves: for each `vMAJOR.MINOR` it lists, the
 * newest release is pinned in test/interop/cometbft-versions.txt, so a new line (or a new release
 * of one) fails this check, naming it, until it is added.
 */
import { expect } from "chai";
import { pinnedVersions } from "./cometbft-node.js";
import { missingFromMatrix, newestPerLine, servedVersions } from "./proxy-lines.js";

describe("the CometBFT matrix and the Go module proxy", function () {
  this.timeout(120_000);

  it("names a line whose newest release the matrix lacks, and ignores pre-releases", () => {
    const served = ["v0.38.25", "v0.38.26", "v0.40.0", "v0.41.0-rc1", "v1.0.0-alpha.1", "v1.0.1", "v0.41.0", "v0.38.3", "v1.1.0-rc2"];
    expect([...newestPerLine(served)]).to.deep.equal([
      ["v0.38", "v0.38.26"],
      ["v0.40", "v0.40.0"],
      ["v1.0", "v1.0.1"],
      ["v0.41", "v0.41.0"],
    ]);
    expect(missingFromMatrix(served, ["v0.38.26", "v0.40.0", "v1.0.1", "v0.41.0"])).to.deep.equal([]);
    expect(missingFromMatrix(served, ["v0.38.25", "v0.40.0", "v1.0.1"])).to.deep.equal([
      "line v0.38: its newest release v0.38.26 is not in the matrix (it pins v0.38.25)",
      "line v0.41: its newest release v0.41.0 is not in the matrix (no version of the line is pinned)",
    ]);
  });

  it("pins the newest release of every line `go list -m -versions github.com/cometbft/cometbft` lists", () => {
    const served = servedVersions();
    const lines = [...newestPerLine(served).keys()];
    expect(lines, `the lines the proxy serves: ${served.join(" ")}`).to.include.members(["v0.34", "v0.38", "v1.0"]);
    expect(missingFromMatrix(served, pinnedVersions.map(([v]) => v)), `served: ${served.join(" ")}`).to.deep.equal([]);
  });
});
