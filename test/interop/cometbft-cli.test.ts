/**
 * The rx-mconn binary against a real CometBFT node: `probe` and `id` on CometBFT's own files.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildCli, runCli } from "../helpers/cli.js";
import { cometBinary, cometVersion, startNode, type CometNode } from "./cometbft-node.js";

describe(`rx-mconn CLI with CometBFT ${cometVersion}`, function () {
  this.timeout(240_000);
  let node: CometNode | undefined; // undefined when the node failed to start

  before(async function () {
    this.timeout(900_000);
    buildCli();
    node = await startNode({ moniker: "probe-target" });
  });
  after(async () => node?.stop());

  it("id reads the node_key.json CometBFT wrote and prints the ID `cometbft show-node-id` prints", async () => {
    const r = await runCli(["id", "--key", join(node!.home, "config", "node_key.json")], 30_000);
    expect(r.code, r.stderr).to.equal(0);
    const theirs = execFileSync(cometBinary(), ["show-node-id", "--home", node!.home], { encoding: "utf8" }).trim();
    expect(r.stdout.trim()).to.equal(theirs).and.to.equal(node!.id);
  });

  it("probe prints the node's NodeInfo, then its traffic per named channel, and exits 0", async () => {
    const r = await runCli(["probe", node!.address, "--network", node!.chainId, "--seconds", "3"], 60_000);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
    expect(r.stdout).to.include(`connected to ${node!.id} (probe-target)`);
    expect(r.stdout).to.match(new RegExp(`network ${node!.chainId}`));
    expect(r.stdout).to.match(/protocol p2p (8|9) block 11/);
    expect(r.stdout).to.match(/channels blocksync, consensus\/state, consensus\/data, consensus\/vote/);
    const row = r.stdout.split("\n").find((l) => l.startsWith("0x20 consensus/state"));
    expect(row, r.stdout).to.not.equal(undefined);
    expect(Number(row!.trim().split(/\s+/)[2]), row).to.be.greaterThan(0);
  });

  it("probe names the step that failed when the network is wrong", async () => {
    const r = await runCli(["probe", node!.address, "--network", "not-the-chain", "--seconds", "2"], 60_000);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/could not connect to .*network/i);
  });
});
