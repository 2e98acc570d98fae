/**
 * Persistent peers that turn us away, against real CometBFT nodes: one that is full
 * (`max_num_inbound_peers = 0`: it completes the handshakes, then closes) and one on another
 * chain (the NodeInfo exchange fails). Our Switch, with its default backoff, makes at most as many
 * attempts in the window as a Go node of the line made against a full peer (22 in 40 s on v0.38,
 * 53 on v1, measured with CometBFT's defaults), and no more than its schedule allows (the first
 * at once, then one per 5–8 s). A Go node of the same line dials the same two peers meanwhile; its
 * count is printed beside ours. (It is no bound: how often a Go node redials a full peer depends
 * on a race — a peer that closes before the Go switch has added it is left in its peer set, and
 * then never redialled.)
 */
import { expect } from "chai";
import { cometbftChannels } from "../../src/cometbft/index.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { Switch, type Rejection } from "../../src/p2p/switch.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { cometLine, cometVersion, startNode, type CometNode } from "./cometbft-node.js";

const WINDOW_MS = 30_000;
/** A Go node's attempts against a full persistent peer, per 40 s, by line (measured). */
const GO_PER_40_S = cometLine === "v1" ? 53 : 22;
/** What our default schedule allows in the window: one at once, then one per 5 s at most. */
const SCHEDULE = 1 + Math.ceil(WINDOW_MS / 5000);
const BOUND = Math.min(SCHEDULE, Math.floor((GO_PER_40_S * WINDOW_MS) / 40_000));

describe(`CometBFT ${cometVersion}: persistent peers that turn us away`, function () {
  this.timeout(240_000);
  const nodes: CometNode[] = [];
  let full: CometNode;
  let other: CometNode;
  let goDialer: CometNode;
  const ours = { full: 0, other: 0 };
  const reasons = { full: new Set<string>(), other: new Set<string>() };

  before(async function () {
    this.timeout(900_000); // the first run builds the node
    [full, other] = await Promise.all([
      startNode({ moniker: "full", pex: false, p2p: { max_num_inbound_peers: "0" }, logLevel: "p2p:debug,*:info" }),
      startNode({ moniker: "other-chain", pex: false, chainId: "another-chain", logLevel: "p2p:debug,*:info" }),
    ]);
    nodes.push(full, other);
    const key = generateNodeKey();
    const sw = new Switch({
      nodeId: key.id,
      authenticate: secretAuthenticator(key),
      network: full.chainId,
      moniker: "rx-mconn-interop",
      listen: "127.0.0.1:0",
      allowDuplicateIp: true,
      persistentPeers: [full.address, other.address],
    });
    sw.addReactor("all", { channels: cometbftChannels(cometLine) });
    const which = (port: number | undefined) => (port === full.p2pPort ? "full" : port === other.p2pPort ? "other" : undefined);
    sw.peers$.subscribe((e) => {
      const k = which(Number(e.peer.dialedAddr?.split(":").pop()));
      if (k === undefined) return;
      if (e.type === "added") ours[k]++;
      else reasons[k].add(e.reason.kind === "error" ? e.reason.error.constructor.name : e.reason.kind);
    });
    sw.rejected$.subscribe((r: Rejection) => {
      const k = which(Number(r.socketAddr.split(":").pop()));
      if (k === undefined || r.direction !== "outbound") return;
      ours[k]++;
      reasons[k].add((r.error as Error).constructor.name);
    });
    // The Go node dials as soon as it starts (before its first block); our Switch from start().
    // Each side is counted over WINDOW_MS from its own first dial.
    const goStarting = startNode({ moniker: "go-dialer", pex: false, chainId: full.chainId, persistentPeers: `${full.address},${other.address}`, logLevel: "p2p:debug,*:info" });
    await sw.start();
    const ourStart = Date.now();
    goDialer = await goStarting;
    nodes.push(goDialer);
    await new Promise((r) => setTimeout(r, WINDOW_MS - (Date.now() - ourStart)));
    await sw.stop();
    const first = goDials(goDialer.log())[0]?.at ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, first + WINDOW_MS + 1000 - msOfDay(new Date()))));
  });

  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  });

  const goCount = (node: CometNode) => {
    const dials = goDials(goDialer.log());
    const from = dials[0]?.at ?? 0;
    return dials.filter((d) => d.at <= from + WINDOW_MS && d.address === node.address).length;
  };

  it(`a full peer (max_num_inbound_peers = 0): our attempts in ${WINDOW_MS / 1000} s are at most a Go node's, each removed with its reason`, () => {
    const go = goCount(full);
    expect(ours.full, "our attempts").to.be.within(2, BOUND);
    expect(reasons.full.size, "why each ended is known").to.be.greaterThan(0);
    console.log(`      full peer, ${WINDOW_MS / 1000} s: rx-mconn ${ours.full} attempts (bound ${BOUND}), a Go node beside us ${go} (${[...reasons.full].join(", ")})`);
  });

  it(`a peer on another chain (the NodeInfo exchange fails): our attempts in ${WINDOW_MS / 1000} s are at most a Go node's, each rejected with NodeInfoError`, () => {
    const go = goCount(other);
    expect(ours.other, "our attempts").to.be.within(2, BOUND);
    // Every attempt that reaches the NodeInfo exchange ends in NodeInfoError; on a loaded machine
    // an attempt may also end earlier, in the dial itself (a handshake past its timeout).
    expect([...reasons.other], "why attempts ended").to.include("NodeInfoError");
    expect([...reasons.other].filter((r) => r !== "NodeInfoError" && r !== "DialError"), "reasons other than the NodeInfo exchange or the dial").to.deep.equal([]);
    console.log(`      peer on another chain, ${WINDOW_MS / 1000} s: rx-mconn ${ours.other} attempts (bound ${BOUND}), a Go node beside us ${go}`);
  });
});

/** Milliseconds since midnight (local time, as CometBFT's log stamps its lines). */
function msOfDay(d: Date): number {
  return ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
}

/** The "Dialing peer" lines of a CometBFT log (p2p at debug): when, and the address dialed. */
function goDials(log: string): { at: number; address: string }[] {
  const dials: { at: number; address: string }[] = [];
  for (const m of log.matchAll(/^D\[\d{4}-\d\d-\d\d\|(\d\d):(\d\d):(\d\d)\.(\d{3})\] Dialing peer .*address=(\S+)/gm)) {
    const [, h, min, sec, ms, address] = m;
    dials.push({ at: ((Number(h) * 60 + Number(min)) * 60 + Number(sec)) * 1000 + Number(ms), address: address });
  }
  return dials;
}
