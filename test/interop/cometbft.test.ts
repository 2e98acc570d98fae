/**
 * rx-mconn against a real CometBFT node (built from the Go module proxy), both directions.
 * Every step has a bound, and a failure names the step and what was received.
 */
import { expect } from "chai";
import { filter, firstValueFrom, map, take, timeout } from "rxjs";
import { Message as ConsensusMessage } from "../../src/proto/tendermint/consensus/types.js";
import { Message as PexMessage } from "../../src/proto/tendermint/p2p/pex.js";
import type { Peer } from "../../src/p2p/peer.js";
import { protoCodec } from "../../src/p2p/reactor.js";
import { Switch } from "../../src/p2p/switch.js";
import { secretAuthenticator } from "../../src/secret/secret-authenticator.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { within } from "../helpers/tcp.js";
import { cometVersion, startNode, type CometNode } from "./cometbft-node.js";

const MiB = 1024 * 1024;

/** A switch with CometBFT's consensus channels and PEX, as a real node would declare them. */
function makeSwitch(network: string, options: { persistentPeers?: string[] } = {}) {
  const key = generateNodeKey();
  const sw = new Switch({
    nodeId: key.id,
    authenticate: secretAuthenticator(key),
    network,
    moniker: "rx-mconn-interop",
    listen: "127.0.0.1:0",
    allowDuplicateIp: true, // the CometBFT nodes all connect from 127.0.0.1
    ...(options.persistentPeers === undefined ? {} : { persistentPeers: options.persistentPeers }),
  });
  sw.addReactor("consensus", {
    channels: [
      { id: 0x20, priority: 6, sendQueueCapacity: 100, recvMessageCapacity: MiB, codec: protoCodec(ConsensusMessage) },
      { id: 0x21, priority: 10, sendQueueCapacity: 100, recvMessageCapacity: 22 * MiB },
      { id: 0x22, priority: 7, sendQueueCapacity: 100, recvMessageCapacity: MiB },
      { id: 0x23, priority: 1, sendQueueCapacity: 2, recvMessageCapacity: MiB },
    ],
  });
  sw.addReactor("pex", { channels: [{ id: 0x00, priority: 1, sendQueueCapacity: 10, recvMessageCapacity: 64_000, codec: protoCodec(PexMessage) }] });
  return { sw, key };
}

/** The node's view of its peers (RPC `net_info`). */
async function nodePeers(node: CometNode): Promise<string[]> {
  const info = await node.rpc<{ peers: { node_info: { id: string } }[] }>("net_info");
  return info.peers.map((p) => p.node_info.id);
}

/** Polls `check` until it returns true, within `ms`; the error names `what` and the last value seen. */
async function eventually<T>(probe: () => Promise<T>, check: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe(`CometBFT ${cometVersion} on 127.0.0.1`, function () {
  this.timeout(240_000);
  let node: CometNode;
  const switches: Switch[] = [];
  const nodes: CometNode[] = [];

  before(async function () {
    this.timeout(900_000); // the first run builds the node
    node = await startNode({ logLevel: "p2p:debug,*:info" });
    nodes.push(node);
  });

  after(async () => {
    await Promise.allSettled(switches.map((s) => s.stop()));
    await Promise.allSettled(nodes.map((n) => n.stop()));
  });

  let peer: Peer;
  let sw: Switch;

  it("we dial: SecretConnection and NodeInfo complete, the node's log shows us added", async () => {
    ({ sw } = makeSwitch(node.chainId));
    switches.push(sw);
    await sw.start();
    peer = await within(sw.dial(node.address), 10_000, `dialing ${node.address} (handshake and NodeInfo)`);
    expect(peer.id).to.equal(node.id);
    expect(peer.nodeInfo.network).to.equal(node.chainId);
    expect(peer.nodeInfo.protocolVersion.block).to.equal(11);
    await node.waitForLog(new RegExp(`Added peer.*${sw.nodeId}`), 10_000, "the node adding our peer");
    await eventually(() => nodePeers(node), (ids) => ids.includes(sw.nodeId), 10_000, "net_info listing us");
  });

  it("receives and decodes the node's consensus traffic (NewRoundStep on channel 0x20)", async () => {
    const step = await within(
      firstValueFrom(
        sw.channel<ConsensusMessage>(0x20).messages$.pipe(
          map((e) => e.message.sum),
          filter((s) => s?.$case === "newRoundStep"),
          take(1),
        ),
      ),
      15_000,
      "a NewRoundStep on channel 0x20",
    );
    expect(step.$case).to.equal("newRoundStep");
    expect(step.value.height > 0n, `height ${step.value.height}`).to.equal(true);
  });

  it("PEX: a request on channel 0x00 is answered with an address list that decodes", async () => {
    const answer = firstValueFrom(
      sw.channel<PexMessage>(0x00).messages$.pipe(
        map((e) => e.message.sum),
        filter((s) => s?.$case === "pexAddrs"),
        take(1),
        timeout({ first: 15_000, with: () => { throw new Error("no PexAddrs on channel 0x00 within 15 s of our PexRequest"); } }),
      ),
    );
    expect(await peer.send(0x00, PexMessage.encode({ sum: { $case: "pexRequest", value: {} } }).finish())).to.equal(true);
    const addrs = await answer;
    expect(addrs.$case).to.equal("pexAddrs");
    // The node put the address we advertised in NodeInfo into its book, and sends it back.
    const listed = addrs.value.addrs.map((a) => `${a.id}@${a.ip}:${a.port}`);
    expect(listed, "addresses in PexAddrs").to.include(sw.address);
  });

  it("stays connected through the node's ping: we answer it, the node receives our pong, no error for us", async function () {
    this.timeout(120_000);
    const conn = peer.connection;
    const events: string[] = [];
    conn.keepalive$.subscribe((e) => events.push(e.type));
    // CometBFT pings every 60 s.
    await within(firstValueFrom(conn.keepalive$.pipe(filter((e) => e.type === "pong-sent"))), 75_000, "the node's ping, answered with our pong");
    await node.waitForLog(/Receive Pong/, 10_000, "the node logging our pong (p2p debug log)");
    expect(peer.isRunning, `our side: ${JSON.stringify(conn.closeReason)}`).to.equal(true);
    expect(await nodePeers(node)).to.include(sw.nodeId);
    expect(node.log()).to.not.match(new RegExp(`Stopping peer for error.*${sw.nodeId}`));
    expect(events).to.include("ping-received");
  });

  it("they dial us: a node with our address as a persistent peer connects, and both sides see the peer", async () => {
    const network = "rx-mconn-interop";
    const { sw: listener } = makeSwitch(network);
    switches.push(listener);
    await listener.start();
    const added = firstValueFrom(listener.peers$.pipe(filter((e) => e.type === "added")));
    const dialer = await startNode({ persistentPeers: listener.address!, pex: false, chainId: network });
    nodes.push(dialer);
    const event = await within(added, 30_000, `the node ${dialer.id} dialing our listener ${listener.address}`);
    expect(event.peer.id).to.equal(dialer.id);
    expect(event.peer.isOutbound).to.equal(false);
    await eventually(() => nodePeers(dialer), (ids) => ids.includes(listener.nodeId), 10_000, "the dialing node's net_info listing us");
  });
});
