import { expect } from "chai";
import type { Peer, Reactor } from "../../../src/index.js";
import { simulateNetwork, type SimNodeInfo } from "../../../src/testing/index.js";

const MINUTE = 60_000;
const GOSSIP = 0x60;

describe("simulateNetwork with a user's reactor: a flood with deduplication", function () {
  this.timeout(120_000);

  it("reaches every node once per message; latency percentiles and the duplicate ratio follow from the graph", async () => {
    const nodes = 80;
    const arrivals = new Map<number, Map<string, number>>(); // node → message → virtual ms
    const origins = new Map<number, (text: string) => void>();
    let duplicates = 0;
    let now = () => 0;
    const flood = (node: SimNodeInfo): Reactor => {
      const seen = new Set<string>();
      const peers = new Map<string, Peer>();
      const got = arrivals.get(node.index) ?? new Map<string, number>();
      arrivals.set(node.index, got);
      const relay = (from: string | undefined, message: Uint8Array) => {
        for (const p of peers.values()) if (p.id !== from) p.trySend(GOSSIP, message);
      };
      origins.set(node.index, (text) => {
        seen.add(text);
        relay(undefined, new TextEncoder().encode(text));
      });
      return {
        channels: [{ id: GOSSIP, priority: 5, sendQueueCapacity: 100 }],
        addPeer: (peer) => void peers.set(peer.id, peer),
        removePeer: (peer) => void peers.delete(peer.id),
        receive: ({ peer, message }) => {
          const bytes = message as Uint8Array;
          const text = new TextDecoder().decode(bytes);
          if (seen.has(text)) {
            duplicates++;
            return;
          }
          seen.add(text);
          got.set(text, now());
          relay(peer.id, bytes);
        },
      };
    };
    const sim = simulateNetwork({ seed: 5, nodes, seeds: 2, duration: 6 * MINUTE, sampleInterval: MINUTE, reactors: (node) => ({ flood: flood(node) }) });
    now = () => sim.scheduler.now();
    const sentAt = new Map<string, number>();
    for (let k = 0; k < 10; k++) {
      const at = 4 * MINUTE + k * 1000;
      sim.scheduler.schedule(() => {
        sentAt.set(`m${k}`, now());
        origins.get(40)?.(`m${k}`);
      }, at);
    }
    const report = await sim.run();
    expect(report.final.components).to.equal(1);
    const latencies: number[] = [];
    for (let i = 2; i < nodes; i++) {
      if (i === 40) continue;
      const got = arrivals.get(i);
      expect(got?.size, `node ${i} received every message`).to.equal(10);
      for (const [text, at] of got ?? []) latencies.push(at - (sentAt.get(text) ?? NaN));
    }
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.ceil(q * latencies.length) - 1];
    // a few hops of 25–75 ms each: the median within half a second, the slowest within two
    expect(p(0.5)).to.be.within(25, 500);
    expect(p(1)).to.be.at.most(2000);
    // each node hears a message once per peer but the one it came from: duplicates follow the degree
    const deliveries = latencies.length;
    const ratio = duplicates / (duplicates + deliveries);
    const meanPeers = report.final.peers.mean;
    expect(ratio).to.be.within(0.5, 1);
    expect(duplicates / 10).to.be.within(((meanPeers - 1) * (nodes - 2)) / 2, (meanPeers - 1) * nodes);
    expect(report.final.messages[String(GOSSIP)]).to.equal(deliveries + duplicates + (arrivals.get(0)?.size ?? 0) + (arrivals.get(1)?.size ?? 0));
  });
});
