/**
 * What a CometBFT node keeps of the tools that only dial (`probe`, `watch`, `blocks`, `tx`):
 * their NodeInfo says `listen_addr` 0.0.0.0:0; the node's PEX reactor tries to add an inbound
 * peer's `ID@listen_addr` to its address book, which refuses an unspecified IP (it logs so). So
 * after a tool has been connected, the node's PEX answer (drawn from its book) holds no entry
 * for it, while it holds the address of an rx-mconn switch that listens, connected the same way.
 * (The book's file is no witness: v0.38 saves it every two minutes, and a node stopped by
 * SIGTERM may exit before its last save.)
 */
import { expect } from "chai";
import { crawlSchema, type CrawlJson } from "../../src/cli/json/crawl-json.js";
import { buildCli, runCli } from "../helpers/cli.js";
import { schemaProblems } from "../../src/cli/json/check.js";
import { within } from "../helpers/tcp.js";
import { cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { cometSwitch, eventually } from "./cometbft-switch.js";

interface NetInfo {
  peers: { node_info: { id: string; listen_addr: string; moniker: string }; is_outbound: boolean }[];
}

describe(`rx-mconn tools with CometBFT ${cometVersion}: dial-only tools and the node's address book`, function () {
  this.timeout(240_000);
  let node: CometNode | undefined;

  before(async function () {
    this.timeout(900_000);
    buildCli();
    node = await startNode({ moniker: "book-keeper", logLevel: "pex:debug,*:info" });
  });
  after(async () => node?.stop());

  it("@every-line the node refuses a dial-only tool's 0.0.0.0:0 and never gossips it; a listening switch's address it books and gives out", async () => {
    const listening = await cometSwitch(node!.chainId);
    try {
      await within(listening.dial(node!.address), 10_000, "the listening switch dialing the node");
      const probe = runCli(["probe", node!.address, "--network", node!.chainId, "--seconds", "5"], 60_000);
      // While the probe is connected, the node lists it as an inbound peer with the address it advertised.
      const seen = await eventually(
        () => node!.rpc<NetInfo>("net_info"),
        (n) => n.peers.some((p) => p.node_info.moniker === "rx-mconn-probe"),
        30_000,
        "the probe among the node's peers",
      );
      const tool = seen.peers.find((p) => p.node_info.moniker === "rx-mconn-probe")!;
      expect(tool.is_outbound).to.equal(false);
      expect(tool.node_info.listen_addr).to.equal("0.0.0.0:0");
      const ours = seen.peers.find((p) => p.node_info.id === listening.nodeId)!;
      expect(ours.node_info.listen_addr).to.match(/^(tcp:\/\/)?127\.0\.0\.1:[1-9]\d*$/);
      // The node's PEX reactor tried to book the probe's address and refused it.
      const refused = await node!.waitForLog(new RegExp(`Failed to add new address.*${tool.node_info.id}@0\\.0\\.0\\.0:0.*invalid IP`), 30_000, "the book refusing the probe's address");
      expect(refused).to.include("module=pex");
      const r = await probe;
      expect(r.code, r.stderr).to.equal(0);
      // What the node gossips comes from its book: asked over PEX (rx-mconn crawl), it gives the
      // listening switch's address and nothing for the probe (no entry, not even an invalid one).
      const crawled = await runCli(["crawl", node!.address, "--network", node!.chainId, "--loopback-only", "--json", "--seconds", "30"], 60_000);
      expect(crawled.code, crawled.stderr).to.equal(0);
      const nodes = JSON.parse(crawled.stdout) as CrawlJson;
      expect(schemaProblems(crawlSchema, nodes)).to.deep.equal([]);
      const seed = nodes.find((n) => n.id === node!.id)!;
      expect({ status: seed.status, answered: seed.answered, invalid: seed.invalid }, "the node's PEX answer").to.deep.equal({ status: "reached", answered: 1, invalid: 0 });
      expect(nodes.map((n) => n.id).sort()).to.deep.equal([node!.id, listening.nodeId].sort());
      expect(nodes.find((n) => n.id === listening.nodeId)!.told_by).to.deep.equal([node!.id]);
    } finally {
      await listening.stop();
    }
  });
});
