/**
 * Discovery against real CometBFT nodes: four nodes wired only as a chain A–B–C–D (persistent
 * peers; PEX on, addr_book_strict false) are mapped by our crawler from A, joined by a Switch
 * whose only seed is A, and found by a CometBFT node whose only seed is our seed-mode Switch; and
 * addrbook.json files go both ways. Only loopback is ever dialed.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NetAddress } from "../../src/p2p/netaddress.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { Switch } from "../../src/p2p/switch.js";
import { encodeAddressBook } from "../../src/pex/addrbook-file.js";
import { openAddressBook } from "../../src/pex/addrbook-store.js";
import { crawl } from "../../src/pex/crawler.js";
import { isLoopback, parseIp } from "../../src/pex/ip.js";
import type { PexOptions } from "../../src/pex/pex-options.js";
import { Pex } from "../../src/pex/pex-service.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { eventually, nodePeers } from "./cometbft-switch.js";

const CHAIN = "pex-interop";
const loopbackOnly = (a: NetAddress): boolean => isLoopback(parseIp(a.host) ?? new Uint8Array(16));

const pexes = new Map<Switch, Pex>();
const pexOf = (sw: Switch): Pex => pexes.get(sw)!;

function pexSwitch(seeds: string[], options: PexOptions = {}): Switch {
  const key = generateNodeKey();
  const pex = new Pex({ strict: false, dialFilter: loopbackOnly, ...options, seeds });
  const sw = new Switch({
    nodeId: key.id,
    authenticate: secretAuthenticator(key),
    network: CHAIN,
    moniker: "rx-mconn-pex",
    listen: "127.0.0.1:0",
    allowDuplicateIp: true,
    discovery: pex,
  });
  pexes.set(sw, pex);
  sw.addReactor("app", { channels: [{ id: 0x40, priority: 1 }] });
  return sw;
}

describe(`PEX with CometBFT ${cometVersion}: a chain A–B–C–D`, function () {
  this.timeout(120_000);
  const nodes: CometNode[] = [];
  const switches: Switch[] = [];
  let chain: CometNode[];

  before(async function () {
    this.timeout(900_000); // the first run builds the node
    const a = await startNode({ moniker: "node-a", chainId: CHAIN });
    nodes.push(a);
    let previous = a;
    for (const name of ["node-b", "node-c", "node-d"]) {
      const next = await startNode({ moniker: name, chainId: CHAIN, persistentPeers: previous.address });
      nodes.push(next);
      const before = previous;
      // the link is up on both sides, so that each node's book holds its neighbours
      await eventually(() => nodePeers(before), (ids) => ids.includes(next.id), 30_000, `${name} linked to its predecessor`);
      previous = next;
    }
    chain = [...nodes];
  });

  after(async () => {
    await Promise.allSettled(switches.map((s) => s.stop()));
    await Promise.allSettled(nodes.map((n) => n.stop()));
  });

  it("(a) the crawler finds all four from A alone, with their NodeInfo", async () => {
    const [a] = chain;
    const found = await crawl([{ id: a.id, host: "127.0.0.1", port: a.p2pPort }], {
      network: CHAIN,
      concurrency: 4,
      timeLimit: 60_000,
      answerTimeout: 10_000,
      dialFilter: loopbackOnly,
    });
    const byId = new Map(found.map((n) => [n.id, n]));
    for (const [i, node] of chain.entries()) {
      const n = byId.get(node.id);
      expect(n, `node-${"abcd"[i]} found`).to.not.equal(undefined);
      expect(n!.status, `node-${"abcd"[i]}: ${n!.error ?? ""}`).to.equal("reached");
      expect(n!.nodeInfo!.moniker).to.equal(`node-${"abcd"[i]}`);
      expect(n!.nodeInfo!.network).to.equal(CHAIN);
      expect(n!.nodeInfo!.protocolVersion.block).to.equal(11);
      expect([...n!.nodeInfo!.channels]).to.include(0x00);
    }
    expect(byId.get(chain[3].id)!.toldBy.length, "someone told us of D").to.be.greaterThan(0);
  });

  it("(b) a Switch with pex and only A as seed ends up connected to B, C and D", async () => {
    const sw = pexSwitch([chain[0].address]);
    switches.push(sw);
    await sw.start();
    await eventually(
      () => Promise.resolve([...sw.peers.keys()]),
      (ids) => chain.slice(1).every((n) => ids.includes(n.id)),
      90_000,
      "our switch connected to B, C and D",
    );
  });

  it("(c) a CometBFT node whose only seed is our seed-mode Switch discovers the others", async () => {
    const seed = pexSwitch([chain[0].address], { seedMode: true, crawlPeriod: 2000, seedDisconnectDelay: 500 });
    switches.push(seed);
    await seed.start();
    await eventually(
      () => Promise.resolve(chain.filter((n) => pexOf(seed).book.get(n.id) !== undefined).length),
      (n) => n === 4,
      60_000,
      "our seed to know A, B, C and D",
    );
    const e = await startNode({ moniker: "node-e", chainId: CHAIN, p2p: { seeds: JSON.stringify(seed.address!) } });
    nodes.push(e);
    await eventually(
      () => nodePeers(e),
      (ids) => chain.filter((n) => ids.includes(n.id)).length >= 2,
      60_000,
      "node-e connected to the chain's nodes",
    );
  });

  it("(d) CometBFT's addrbook.json loads in our book, and ours in CometBFT", async () => {
    // theirs: D saves its book when it stops
    const d = chain[3];
    await d.stop(true);
    // their text, read before our book saves over it on close
    const text = readFileSync(join(d.home, "config", "addrbook.json"), "utf8");
    const theirs = openAddressBook(join(d.home, "config", "addrbook.json"), { strict: false, saveInterval: 3_600_000 });
    theirs.close();
    expect(theirs.loadError, theirs.loadError?.message).to.equal(undefined);
    expect(theirs.book.size).to.be.greaterThan(0);
    expect(JSON.parse(text)).to.have.property("key", theirs.book.key);
    // ours: a fresh CometBFT node with only our book (from (b)) finds A, B, C
    const ours = pexOf(switches[0]).book;
    expect(ours.size).to.be.at.least(3);
    const f = await startNode({ moniker: "node-f", chainId: CHAIN, files: { "config/addrbook.json": encodeAddressBook(ours) } });
    nodes.push(f);
    await eventually(
      () => nodePeers(f),
      (ids) => chain.slice(0, 3).some((n) => ids.includes(n.id)),
      60_000,
      "node-f dialing addresses from our addrbook.json",
    );
  });
});
