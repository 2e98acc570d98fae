import { expect } from "chai";
import { simulateNetwork, type SimPeerEvent, type SimPexOptions } from "../../../src/testing/index.js";
import { chainGraph, chainNames, chainPersistentPeers, cometbftChainOutcome, formatChainLinks, fullMesh, rxMconnChainOutcome, type ChainLink } from "../../pex-chain.js";

const PERIOD = 30_000; // CometBFT's ensurePeersPeriod
/** Each node starts this long after its predecessor: once it is linked, as in the interop test (there 1.2–2.9 s apart). */
const GAP = 3_000;

/** Runs the interop suite's chain A–B–C–D; returns the links as their dialers made them, and every peer removed. */
async function simulateChain(pex: SimPexOptions, seed: number): Promise<{ links: ChainLink[]; removed: SimPeerEvent[]; graph: Record<string, string> }> {
  const sim = simulateNetwork({
    seed,
    nodes: chainNames.map((_, i) => ({ joinAt: i * GAP, persistentPeers: chainPersistentPeers[i] })),
    groups: 1, // one /16, as four nodes on 127.0.0.1
    link: { latency: 0.5, jitter: 0 }, // 0.1 ms one way within a group: loopback
    switch: { maxOutboundPeers: 10, maxInboundPeers: 40 }, // CometBFT's defaults
    pex: { ensurePeersPeriod: PERIOD, ...pex },
    duration: 3 * GAP + 3 * PERIOD, // D's periods 0, 1 and 2
  });
  const links: ChainLink[] = [];
  const removed: SimPeerEvent[] = [];
  sim.peers$.subscribe((e) => {
    if (e.type === "removed") removed.push(e);
    else if (e.outbound) links.push({ from: e.node, to: e.peer, period: Math.floor((e.at - e.node * GAP) / PERIOD) });
  });
  const report = await sim.run();
  const byId = new Map(report.perNode.map((n) => [n.id, n.index]));
  const final = sim.nodes.map((n) => [...(n.switch?.peers.keys() ?? [])].map((id) => chainNames[byId.get(id) ?? -1] ?? "?").sort().join(""));
  return { links, removed, graph: Object.fromEntries(chainNames.map((n, i) => [n, final[i]])) };
}

describe("simulateNetwork held against CometBFT: the interop suite's chain A–B–C–D (persistent peers, PEX on)", function () {
  this.timeout(60_000);

  it("with CometBFT's timing (dialOnNewAddresses false, no retries before the period): the same links in the same periods as real CometBFT nodes, and a full mesh", async () => {
    for (const seed of [1, 2, 3]) {
      const { links, removed, graph } = await simulateChain({ dialOnNewAddresses: false, ensurePeersRetryDelay: PERIOD }, seed);
      expect(formatChainLinks(links), `seed ${seed}`).to.deep.equal(formatChainLinks(cometbftChainOutcome));
      expect(graph).to.deep.equal(fullMesh);
      expect(chainGraph(links)).to.deep.equal(fullMesh);
      expect(removed, "no link ends").to.deep.equal([]);
    }
  });

  it("with rx-mconn's default timing: the same links and full mesh, each link PEX found one period sooner", async () => {
    for (const seed of [1, 2, 3]) {
      const { links, removed, graph } = await simulateChain({}, seed);
      expect(formatChainLinks(links), `seed ${seed}`).to.deep.equal(formatChainLinks(rxMconnChainOutcome));
      expect(graph).to.deep.equal(fullMesh);
      expect(removed, "no link ends").to.deep.equal([]);
    }
    expect(formatChainLinks(rxMconnChainOutcome)).to.include.members(["C→A in period 0", "D→A in period 0", "D→B in period 0"]);
  });
});
