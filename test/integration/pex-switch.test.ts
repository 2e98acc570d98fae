import { expect } from "chai";
import { createServer } from "node:net";
import sinon from "sinon";
import { filter, firstValueFrom, map, scan } from "rxjs";
import type { NetAddress } from "../../src/p2p/netaddress.js";
import type { Switch } from "../../src/p2p/switch.js";
import { pexCodec } from "../../src/cometbft/codecs.js";
import type { Message as PexMessage } from "../../src/proto/tendermint/p2p/pex.js";
import { isLoopback, parseIp } from "../../src/pex/ip.js";
import { pexChannel } from "../../src/pex/pex-reactor.js";
import type { PexOptions } from "../../src/pex/pex-options.js";
import { makeSwitch, pexOf } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

/** Only loopback may be dialed. */
const loopbackOnly = (a: NetAddress): boolean => isLoopback(parseIp(a.host)!);

/** A loopback-only filter of its own that resolves `offered(host)` once it has been asked about `host`. */
function recordingFilter() {
  const seen: NetAddress[] = [];
  const waiting = new Map<string, () => void>();
  return {
    filter: (a: NetAddress): boolean => {
      seen.push(a);
      waiting.get(a.host)?.();
      return loopbackOnly(a);
    },
    offered: (host: string) => (seen.some((a) => a.host === host) ? Promise.resolve() : new Promise<void>((r) => waiting.set(host, r))),
  };
}
const echo = { channels: [{ id: 0x40, priority: 1 }] };

function pexSwitch(seeds: string[], pex: PexOptions = {}): Switch {
  return makeSwitch({ echo }, { pex: { strict: false, ensurePeersPeriod: 600, dialFilter: loopbackOnly, ...pex, seeds } }).sw;
}

/** Resolves once `sw` is connected to every ID of `ids`. */
function connectedTo(sw: Switch, ids: string[], ms = 15_000): Promise<unknown> {
  return within(
    firstValueFrom(
      sw.peers$.pipe(
        scan((set, e) => (e.type === "added" ? set.add(e.peer.id) : (set.delete(e.peer.id), set)), new Set<string>(sw.peers.keys())),
        map((set) => ids.every((i) => set.has(i) || sw.peers.has(i))),
        filter(Boolean),
      ),
    ),
    ms,
    `${sw.nodeId.slice(0, 8)} connected to ${ids.length} peers`,
  );
}

describe("PEX on real loopback sockets", () => {
  const running: Switch[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  const started = async (sw: Switch) => {
    running.push(sw);
    await sw.start();
    return sw;
  };

  it("a switch whose only seed is A learns B and C from A and connects to them", async () => {
    const a = await started(pexSwitch([]));
    const b = await started(pexSwitch([a.address!]));
    const c = await started(pexSwitch([a.address!]));
    await connectedTo(a, [b.nodeId, c.nodeId]);
    expect(pexOf(a).book.size).to.equal(2);
    const d = pexSwitch([a.address!]);
    const discovered: string[] = [];
    pexOf(d).discovered$.subscribe(({ address, source }) => discovered.push(`${address.id}<${source.id}`));
    const sizes: number[] = [];
    pexOf(d).book.size$.subscribe((n) => sizes.push(n));
    await started(d);
    await connectedTo(d, [b.nodeId, c.nodeId]);
    expect(discovered).to.include.members([`${b.nodeId}<${a.nodeId}`, `${c.nodeId}<${a.nodeId}`]);
    expect(pexOf(d).book.get(b.nodeId)!.bucketType, "promoted after the connection").to.equal(2);
    expect(sizes[0]).to.equal(0);
    expect(Math.max(...sizes)).to.be.at.least(2);
  });

  it("a seed answers once and disconnects; its client goes on to the peers it was told of", async () => {
    const seed = await started(pexSwitch([], { seedMode: true, seedDisconnectDelay: 200 }));
    const b = await started(pexSwitch([seed.address!]));
    const c = await started(pexSwitch([seed.address!]));
    await within(
      firstValueFrom(pexOf(seed).book.size$.pipe(filter((n) => n >= 2))),
      15_000,
      "the seed to know B and C",
    );
    const d = pexSwitch([seed.address!]);
    const dropped = within(
      firstValueFrom(seed.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === d.nodeId))),
      15_000,
      "the seed to drop D",
    );
    await started(d);
    await connectedTo(d, [b.nodeId, c.nodeId]);
    await dropped;
    expect(seed.peers.has(d.nodeId), "the seed disconnected D after answering").to.equal(false);
  });

  it("never dials an address outside loopback that a peer gossips", async () => {
    const a = await started(pexSwitch([]));
    // a hostile address in A's book, as if gossiped to it
    pexOf(a).book.add({ id: "ab".repeat(20), host: "203.0.113.7", port: 26656 }, { id: "cd".repeat(20), host: "127.0.0.1", port: 1 });
    const dFilter = recordingFilter();
    const d = await started(pexSwitch([a.address!], { dialFilter: dFilter.filter }));
    await within(firstValueFrom(pexOf(d).discovered$.pipe(filter((x) => x.address.host === "203.0.113.7"))), 15_000, "D to hear of the outside address");
    await within(dFilter.offered("203.0.113.7"), 15_000, "D's filter to be offered the outside address");
    expect([...d.peers.values()].map((p) => p.socketAddr).every((s) => s.startsWith("127."))).to.equal(true);
    expect(pexOf(d).book.get("ab".repeat(20))!.attempts, "never attempted").to.equal(0);
  });
});

describe("crawl on real loopback sockets", () => {
  it("maps A, B, C from A alone, with who told of whom; an address outside loopback is recorded and never dialed", async () => {
    const { crawl } = await import("../../src/pex/crawler.js");
    const a = pexSwitch([]);
    const b = pexSwitch([]);
    const c = pexSwitch([]);
    try {
      await Promise.all([a.start(), b.start(), c.start()]);
      // B knows C, A knows B: a chain A → B → C, and A also gossips an outside address
      pexOf(a).book.add({ id: b.nodeId, host: "127.0.0.1", port: b.listenAddress!.port }, { id: a.nodeId, host: "127.0.0.1", port: 1 });
      pexOf(b).book.add({ id: c.nodeId, host: "127.0.0.1", port: c.listenAddress!.port }, { id: b.nodeId, host: "127.0.0.1", port: 1 });
      pexOf(a).book.add({ id: "ab".repeat(20), host: "198.51.100.9", port: 26656 }, { id: a.nodeId, host: "127.0.0.1", port: 1 });
      const offered: string[] = [];
      const progress: number[] = [];
      const nodes = await crawl([{ id: a.nodeId, host: "127.0.0.1", port: a.listenAddress!.port }], {
        network: "test-net",
        concurrency: 2,
        timeLimit: 20_000,
        answerTimeout: 5000,
        dialFilter: (x) => (offered.push(x.host), isLoopback(parseIp(x.host)!)),
        onProgress: (p) => progress.push(p.found),
      });
      const byId = new Map(nodes.map((n) => [n.id, n]));
      expect(byId.get(a.nodeId)!.status).to.equal("reached");
      expect(byId.get(a.nodeId)!.nodeInfo!.moniker).to.equal(a.nodeInfo!.moniker);
      expect(byId.get(b.nodeId)!.toldBy[0]).to.equal(a.nodeId);
      expect(byId.get(c.nodeId)!.toldBy).to.include(b.nodeId);
      expect(byId.get(c.nodeId)!.status).to.equal("reached");
      expect(byId.get(c.nodeId)!.handshakeMs).to.be.a("number");
      expect(byId.get("ab".repeat(20))!.status).to.equal("filtered");
      expect(offered).to.include("198.51.100.9");
      expect(Math.max(...progress)).to.equal(4);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it("resolves, and stops its switch, when onProgress and the dial filter throw", async () => {
    const { crawl } = await import("../../src/pex/crawler.js");
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const onProgress = sinon.stub().throws(new Error("progress bug"));
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
    const refused = { id: "ef".repeat(20), host: "127.0.0.1", port };
    const closed = { id: "cd".repeat(20), host: "127.0.0.1", port };
    const nodes = await within(
      crawl([closed, refused], {
        network: "test-net",
        timeLimit: 10_000,
        dialFilter: (x) => {
          if (x.id === refused.id) throw new Error("filter bug");
          return true;
        },
        onProgress,
        logger,
      }),
      10_000,
      "the crawl to resolve",
    );
    expect(onProgress.callCount, "called before and after the dial").to.be.at.least(3);
    expect(logger.warn.callCount).to.equal(onProgress.callCount);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get(closed.id)!.status).to.equal("failed");
    expect(byId.get(refused.id)!.status).to.equal("filtered");
    expect(byId.get(refused.id)!.error).to.match(/filter bug/);
  });

  it("counts the addresses of an answer that do not parse, and shows them in the table", async () => {
    const { crawl } = await import("../../src/pex/crawler.js");
    const { crawlTable } = await import("../../src/cli/crawl-report.js");
    const liar = makeSwitch({
      fakePex: {
        channels: [pexChannel],
        receive({ peer, message }) {
          if ((message as PexMessage).sum?.$case !== "pexRequest") return;
          const addrs = [
            { id: "xyz", ip: "127.0.0.1", port: 1 },
            { id: "ab".repeat(20), ip: "not an ip", port: 1 },
            { id: "cd".repeat(20), ip: "127.0.0.1", port: 70_000 },
            { id: "ef".repeat(20), ip: "198.51.100.9", port: 26656 },
          ];
          peer.trySend(pexChannel.id, pexCodec.encode({ sum: { $case: "pexAddrs", value: { addrs } } }));
        },
      },
    }).sw;
    try {
      await liar.start();
      const nodes = await crawl([{ id: liar.nodeId, host: "127.0.0.1", port: liar.listenAddress!.port }], {
        network: "test-net",
        timeLimit: 10_000,
        answerTimeout: 5000,
        dialFilter: (x) => isLoopback(parseIp(x.host)!),
      });
      expect(nodes[0]).to.include({ status: "reached", answered: 1, invalid: 3 });
      expect(nodes.map((n) => n.id)).to.deep.equal([liar.nodeId, "ef".repeat(20)]);
      expect(crawlTable(nodes)[1]).to.match(/ 1 \(\+3 invalid\) /);
    } finally {
      await liar.stop();
    }
  });
});
