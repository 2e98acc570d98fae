/**
 * docs/guide.md's table of errors names every error class the package exports, and only those.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import * as cometbft from "../../../src/cometbft/index.js";
import * as pex from "../../../src/pex/index.js";
import * as root from "../../../src/index.js";
import { MConnError } from "../../../src/errors.js";

function errorClasses(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === "function" && (value === MConnError || (value as { prototype: unknown }).prototype instanceof MConnError))
    .map(([name]) => name);
}

describe("docs/guide.md: the table of errors", () => {
  const rows = readFileSync("docs/guide.md", "utf8")
    .split("\n")
    .map((line) => /^\| `(\w+)` \| .+ \| .+ \|$/.exec(line)?.[1])
    .filter((name): name is string => name?.endsWith("Error") === true);

  it("has a row (when, what to do) for every error class exported by rx-mconn, rx-mconn/cometbft and rx-mconn/pex", () => {
    const exported = [...errorClasses(root), ...errorClasses(cometbft), ...errorClasses(pex)].sort();
    expect(exported.length).to.be.greaterThan(30);
    expect([...new Set(rows)].sort()).to.deep.equal(exported);
    expect(rows).to.have.length(new Set(rows).size, "one row per class");
  });
});
