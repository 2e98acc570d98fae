/**
 * What a CometBFT node keeps of the tools that only dial (`probe`, `watch`, `blocks`, `tx`):
 * their NodeInfo says `listen_addr` 0.0.0.0:0; the node's PEX reactor tries to add an inbound
 * peer's `ID@listen_addr` to its address book, which refuses an unspecified IP. So after a tool
 * has been connected, the node's addrbook.json (saved when it stops) holds no entry for it,
 * while an rx-mconn switch that listens, connected the same way, is in it.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildCli, runCli } from "../helpers/cli.js";
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

  it("@every-line the node refuses a dial-only tool's 0.0.0.0:0 (no addrbook.json entry), and keeps a listening switch's address", async () => {
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
      // The book is written when the node stops: the listening switch is in it, the probe is not.
      await node!.stop(true);
      const book = JSON.parse(readFileSync(join(node!.home, "config", "addrbook.json"), "utf8")) as { addrs: { addr: { id: string; ip: string; port: number } }[] | null };
      const ids = (book.addrs ?? []).map((a) => a.addr.id);
      expect(ids, "the listening switch's address, booked").to.include(listening.nodeId);
      expect(ids, "the probe's address").to.not.include(tool.node_info.id);
      expect((book.addrs ?? []).filter((a) => a.addr.ip === "0.0.0.0" || a.addr.port === 0)).to.deep.equal([]);
    } finally {
      await listening.stop();
    }
  });
});
