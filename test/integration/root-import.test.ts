/**
 * What `import "rx-mconn"` loads, measured from the built package with the loader hook of
 * scripts/count-imports.mjs (the command docs/architecture.md gives): no discovery, no CometBFT
 * schema beyond p2p's own, no command-line code, and at most 250 KB of the package's JavaScript.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { buildCli } from "../helpers/cli.js";

interface Count {
  readonly package: { readonly modules: number; readonly bytes: number };
  readonly all: { readonly modules: number; readonly bytes: number };
  readonly modules: readonly string[];
}

/** Runs `node --import ./scripts/count-imports.mjs --input-type=module -e <program>` and reads its count. */
function count(program: string): Count {
  const run = spawnSync(process.execPath, ["--import", "./scripts/count-imports.mjs", "--input-type=module", "-e", program], { encoding: "utf8" });
  expect(run.status, run.stderr).to.equal(0);
  return JSON.parse(run.stderr.trim().split("\n").at(-1) ?? "") as Count;
}

/** p2p's own schemas: NodeInfo (types), the handshake's AuthSigMessage (conn) and its key (crypto/keys). */
const p2pSchemas = ["src/proto/tendermint/p2p/types.js", "src/proto/tendermint/p2p/conn.js", "src/proto/tendermint/crypto/keys.js"];

describe('import "rx-mconn"', function () {
  this.timeout(180_000);
  let root: Count;
  before(() => {
    buildCli();
    root = count('await import("rx-mconn")');
  });

  it("loads at most 250 KB of the package's JavaScript", () => {
    expect(root.package.bytes, `${root.package.modules} modules`).to.be.at.most(250_000);
    expect(root.package.modules).to.be.greaterThan(20); // the count sees the package at all
  });

  it("loads no discovery, no command-line code, no CometBFT module but its channel table, no schema beyond p2p's own", () => {
    expect(root.modules.filter((m) => m.startsWith("src/pex/"))).to.deep.equal([]);
    expect(root.modules.filter((m) => m.startsWith("src/cli/"))).to.deep.equal([]);
    expect(root.modules.filter((m) => m.startsWith("src/cometbft/"))).to.deep.equal(["src/cometbft/channel-table.js"]);
    expect(root.modules.filter((m) => m.startsWith("src/proto/")).sort()).to.deep.equal([...p2pSchemas].sort());
  });

  it("the count is of what was imported: rx-mconn/pex loads discovery on top", () => {
    const pex = count('await import("rx-mconn/pex")');
    expect(pex.modules).to.include("src/pex/pex-reactor.js");
    expect(pex.modules).to.include("src/proto/tendermint/p2p/pex.js");
    expect(pex.package.bytes).to.be.greaterThan(root.package.bytes);
  });
});
