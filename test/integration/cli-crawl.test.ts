import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "../../src/cli/args.js";
import { crawlCommand } from "../../src/cli/commands/crawl.js";
import { crawlSchema, type CrawlJson } from "../../src/cli/json/crawl-json.js";
import { fieldKeys, schemaProblems } from "../../src/cli/json/check.js";
import { makeSwitch, pexOf } from "../helpers/switches.js";

describe("rx-mconn crawl", () => {
  it("maps two loopback nodes from one: a table or JSON on stdout, progress lines on stderr, an SVG with both nodes", async () => {
    const pex = { strict: false, ensurePeersPeriod: 600 };
    const a = makeSwitch({ echo: { channels: [{ id: 0x40, priority: 1 }] } }, { pex, moniker: "node-a", version: "v-a" }).sw;
    const b = makeSwitch({ echo: { channels: [{ id: 0x40, priority: 1 }] } }, { pex, moniker: "node-b", version: "v-b" }).sw;
    const dir = mkdtempSync(join(tmpdir(), "crawl-"));
    try {
      await Promise.all([a.start(), b.start()]);
      pexOf(a).book.add({ id: b.nodeId, host: "127.0.0.1", port: b.listenAddress!.port }, { id: a.nodeId, host: "127.0.0.1", port: 1 });
      const run = async (extra: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const { values, positionals } = parse(crawlCommand, [a.address!, "--network", "test-net", "--loopback-only", "--seconds", "20", ...extra]);
        const code = await crawlCommand.run(values, positionals, { out: (l) => out.push(l), err: (l) => err.push(l), stopped: new Promise(() => undefined) });
        return { code, out, err };
      };
      const svg = join(dir, "net.svg");
      const json = await run(["--json", "--svg", svg]);
      expect(json.code).to.equal(0);
      const nodes = JSON.parse(json.out.join("\n")) as CrawlJson;
      // every field as the schema says (NodeInfo as RPC's /net_info writes it), each one shown
      const seen = new Set<string>();
      expect(schemaProblems(crawlSchema, nodes, seen)).to.deep.equal([]);
      expect(fieldKeys(crawlSchema).filter((k) => !seen.has(k))).to.deep.equal([]);
      expect(nodes[0].node_info).to.deep.include({ id: a.nodeId, moniker: "node-a", version: "v-a", network: "test-net" });
      expect(nodes[0].node_info!.protocol_version.block).to.equal("11");
      expect(nodes.map((n) => [n.id, n.status, n.node_info?.moniker])).to.deep.equal([
        [a.nodeId, "reached", "node-a"],
        [b.nodeId, "reached", "node-b"],
      ]);
      expect(nodes[1].told_by).to.deep.equal([a.nodeId]);
      expect(json.err.at(-1)).to.match(/^found 2 {2}reached 2 {2}failed 0 {2}queue 0 {2}dialing 0$/);
      const picture = readFileSync(svg, "utf8");
      expect(picture).to.match(/^<svg /);
      expect(picture).to.include("node-a").and.to.include("node-b").and.to.include("v-a").and.to.include("<line ");
      const table = await run([]);
      expect(table.out[0]).to.match(/^ID\s+ADDRESS\s+STATUS\s+MONIKER\s+VERSION/);
      expect(table.out.slice(1).map((l) => l.split(/\s+/)[3])).to.deep.equal(["node-a", "node-b"]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rx-mconn node --seed-mode", () => {
  it("runs a seed: it learns from its own seed, answers a newcomer once and disconnects it; the newcomer joins the others", async () => {
    const { node } = await import("../../src/cli/commands/node.js");
    const { filter, firstValueFrom } = await import("rxjs");
    const { within } = await import("../helpers/tcp.js");
    const pex = { strict: false, ensurePeersPeriod: 600 };
    const a = makeSwitch({ echo: { channels: [{ id: 0x40, priority: 1 }] } }, { pex, network: "rx-mconn" }).sw;
    const b = makeSwitch({ echo: { channels: [{ id: 0x40, priority: 1 }] } }, { pex, network: "rx-mconn" }).sw;
    const home = mkdtempSync(join(tmpdir(), "seed-home-"));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const err: string[] = [];
    // resolves once the seed has logged that it learned B's address
    let learnedB!: () => void;
    const bLearned = new Promise<void>((r) => (learnedB = r));
    let ran: Promise<number> | undefined;
    try {
      await Promise.all([a.start(), b.start()]);
      pexOf(a).book.add({ id: b.nodeId, host: "127.0.0.1", port: b.listenAddress!.port }, { id: a.nodeId, host: "127.0.0.1", port: 1 });
      const { values, positionals } = parse(node, ["--listen", "127.0.0.1:0", "--seed-mode", "--allow-local", "--allow-duplicate-ip", "--seeds", a.address!, "--home", home]);
      const listening = new Promise<string>((resolve) => {
        ran = node.run(values, positionals, {
          out: () => undefined,
          err: (l) => {
            err.push(l);
            if (l.includes("address discovered") && l.includes(b.nodeId)) learnedB();
            const m = /"address":"([^"]+)"/.exec(l);
            if (m && l.includes("listening")) resolve(m[1]);
          },
          stopped,
        });
      });
      const seedAddress = await within(listening, 10_000, "the seed node listening");
      expect(err.join("\n")).to.include('"seedMode":true');
      await within(bLearned, 15_000, "the seed to learn B from A");
      const d = makeSwitch({ echo: { channels: [{ id: 0x40, priority: 1 }] } }, { pex: { ...pex, seeds: [seedAddress] }, network: "rx-mconn" }).sw;
      // subscribed before D starts: the seed's disconnection cannot come unseen
      const seedId = seedAddress.split("@")[0];
      const seedGone = firstValueFrom(d.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === seedId)));
      seedGone.catch(() => undefined); // awaited below; a failure before that leaves it to reject when D stops
      await d.start();
      try {
        await within(firstValueFrom(d.peers$.pipe(filter(() => d.peers.has(a.nodeId) && d.peers.has(b.nodeId)))), 15_000, "D joining A and B");
        await within(seedGone, 10_000, "the seed to disconnect D");
      } finally {
        await d.stop();
      }
    } finally {
      stop();
      expect(await ran).to.equal(0);
      await Promise.all([a.stop(), b.stop()]);
      expect(readFileSync(join(home, "config", "addrbook.json"), "utf8")).to.include(b.nodeId);
      rmSync(home, { recursive: true, force: true });
    }
  });
});
