/**
 * The chain A–B–C–D of real CometBFT nodes (persistent peers only, PEX on), watched from its
 * start: every 200 ms each node's RPC `net_info` (who its peers are, which it dialed) and its
 * log's "Ensure peers" lines (one per ensurePeers round: the first at start, then every 30 s).
 * Each link is told by its dialer and the dialer's period it appeared in, and compared with
 * test/pex-chain.ts — the outcome test/integration/sim/pex-chain.test.ts gets from the simulation.
 * It lasts until every node ran its round 2 (about 70 s): not tagged @every-line.
 */
import { expect } from "chai";
import { chainGraph, chainNames, cometbftChainOutcome, formatChainLinks, fullMesh, type ChainLink } from "../pex-chain.js";
import { cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { eventually, nodePeers } from "./cometbft-switch.js";

const CHAIN = "pex-chain-interop";
const ROUND = /Ensure peers/;

interface NetInfo {
  peers: { node_info: { id: string }; is_outbound: boolean }[];
}

/** What was seen of one node: its rounds so far, and each peer when first seen. */
interface Watched {
  readonly node: CometNode;
  readonly startedAt: number;
  rounds: number;
  /** The first round line, e.g. `numOutPeers=0 ... numDialing=0`. */
  firstRound: string | undefined;
  readonly seen: Map<string, { outbound: boolean; rounds: number; at: number }>;
  readonly lost: string[];
  current: Set<string>;
}

/** Polls every node added until stopped. */
class ChainWatch {
  readonly nodes: Watched[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor() {
    this.loop = this.run();
  }

  add(node: CometNode, startedAt: number): void {
    this.nodes.push({ node, startedAt, rounds: 0, firstRound: undefined, seen: new Map(), lost: [], current: new Set() });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await Promise.all(this.nodes.map((w) => this.poll(w)));
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async poll(w: Watched): Promise<void> {
    let info: NetInfo;
    try {
      info = await w.node.rpc<NetInfo>("net_info");
    } catch {
      return; // stopping
    }
    // the log after net_info: a round line logged before a link it made is counted with it
    const lines = w.node.log().split("\n").filter((l) => ROUND.test(l));
    w.rounds = lines.length;
    w.firstRound ??= lines[0];
    const now = new Set<string>();
    for (const p of info.peers) {
      now.add(p.node_info.id);
      if (!w.seen.has(p.node_info.id)) w.seen.set(p.node_info.id, { outbound: p.is_outbound, rounds: w.rounds, at: Date.now() });
    }
    for (const id of w.current) if (!now.has(id)) w.lost.push(id);
    w.current = now;
  }
}

describe(`PEX rounds with CometBFT ${cometVersion}: the chain A–B–C–D watched from its start`, function () {
  this.timeout(300_000);
  const nodes: CometNode[] = [];
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  });

  it("ends a full mesh: C dials A, and D dials A and B, in their first periodic round, as the simulation of the chain with CometBFT's timing", async function () {
    this.timeout(900_000); // the first run builds the node
    const watch = new ChainWatch();
    try {
      let previous: CometNode | undefined;
      for (const name of chainNames) {
        const startedAt = Date.now();
        const node = await startNode({ moniker: `node-${name.toLowerCase()}`, chainId: CHAIN, ...(previous ? { persistentPeers: previous.address } : {}) });
        nodes.push(node);
        watch.add(node, startedAt);
        const before = previous;
        // the next node starts once this one is linked to its predecessor, as in cometbft-pex.test.ts
        if (before !== undefined) await eventually(() => nodePeers(before), (ids) => ids.includes(node.id), 30_000, `node-${name} linked to its predecessor`);
        previous = node;
      }
      // until every node has run its round 2 (a period after the last link is expected)
      await eventually(
        () => Promise.resolve(watch.nodes.map((w) => w.rounds)),
        (rounds) => rounds.every((r) => r >= 3),
        150_000,
        "every node's third ensurePeers round (counts of rounds)",
      );
    } finally {
      await watch.stop();
    }
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    const links: ChainLink[] = [];
    const lines: string[] = [];
    for (const [i, w] of watch.nodes.entries()) {
      expect(w.firstRound, `${chainNames[i]}'s first round ran at start, with no peer and no dial`).to.match(/numOutPeers=0 .*numDialing=0/);
      for (const [id, s] of w.seen) {
        const j = index.get(id);
        expect(j, `${chainNames[i]}'s peer ${id} is a node of the chain`).to.not.equal(undefined);
        if (!s.outbound) continue;
        links.push({ from: i, to: j!, period: Math.max(0, s.rounds - 1) });
        lines.push(`${chainNames[i]}→${chainNames[j!]} ${((s.at - w.startedAt) / 1000).toFixed(1)} s after ${chainNames[i]} started (period ${Math.max(0, s.rounds - 1)})`);
      }
    }
    console.log(`      CometBFT ${cometVersion}: starts at ${watch.nodes.map((w) => `${((w.startedAt - watch.nodes[0].startedAt) / 1000).toFixed(1)} s`).join(", ")}; ${lines.join("; ")}`);
    expect(formatChainLinks(links)).to.deep.equal(formatChainLinks(cometbftChainOutcome));
    expect(chainGraph(links)).to.deep.equal(fullMesh);
    const final = watch.nodes.map((w) => [...w.current].map((id) => chainNames[index.get(id)!]).sort().join(""));
    expect(Object.fromEntries(chainNames.map((n, i) => [n, final[i]])), "the peers at the end").to.deep.equal(fullMesh);
    expect(watch.nodes.map((w) => w.lost), "no link ended").to.deep.equal([[], [], [], []]);
  });
});
