/**
 * rx-mconn against a real CometBFT node (built from the Go module proxy), both directions.
 * Tests tagged @every-line run on every pinned line, the others on the full-suite versions
 * (test/interop/cometbft-versions.txt). Every step has a bound, and a failure names the step and
 * what was received.
 */
import { expect } from "chai";
import { filter, firstValueFrom, map, take, timeout } from "rxjs";
import type { PexMessage } from "../../src/cometbft/index.js";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { pexCodec } from "../../src/cometbft/index.js";
import { within } from "../helpers/tcp.js";
import { cometLine, cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { GOSSIPED, collectConsensus } from "./cometbft-consensus.js";
import { cometSwitch, eventually, nodePeers, saveRecording } from "./cometbft-switch.js";

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
    saveRecording();
    await Promise.allSettled(nodes.map((n) => n.stop()));
  });

  let peer: Peer;
  let sw: Switch;

  it("@every-line we dial: SecretConnection and NodeInfo complete, the node's log shows us added", async () => {
    sw = await cometSwitch(node.chainId);
    switches.push(sw);
    peer = await within(sw.dial(node.address), 10_000, `dialing ${node.address} (handshake and NodeInfo)`);
    expect(peer.id).to.equal(node.id);
    expect(peer.nodeInfo.network).to.equal(node.chainId);
    expect(peer.nodeInfo.protocolVersion.block).to.equal(11);
    await node.waitForLog(new RegExp(`Added peer.*${sw.nodeId}`), 10_000, "the node adding our peer");
    await eventually(() => nodePeers(node), (ids) => ids.includes(sw.nodeId), 10_000, "net_info listing us");
  });

  it("@every-line typed consensus messages decode: every kind a node gossips, votes with the validator's index and address", async () => {
    const status = await node.rpc<{ validator_info: { address: string } }>("status");
    const wanted = cometLine === "v1" ? [...GOSSIPED, "hasProposalBlockPart"] : GOSSIPED;
    const seen = await collectConsensus(sw, peer, wanted, 60_000); // ends as soon as every kind arrived
    const kinds = [...seen.keys()].sort();
    expect(peer.isRunning, `the connection ended: ${JSON.stringify(peer.connection.closeReason)}; kinds seen ${kinds.join(", ")}`).to.equal(true);
    expect(kinds, "kinds received within 60 s").to.include.members(wanted);
    const step = seen.get("newRoundStep")!;
    if (step.$case === "newRoundStep") expect(step.value.height > 0n).to.equal(true);
    const vote = seen.get("vote")!;
    if (vote.$case !== "vote") throw new Error("unreachable");
    expect(vote.value.vote!.validatorIndex).to.equal(0);
    expect(Buffer.from(vote.value.vote!.validatorAddress).toString("hex").toUpperCase()).to.equal(status.validator_info.address);
    const part = seen.get("blockPart")!;
    if (part.$case === "blockPart") expect(part.value.part!.bytes.length).to.be.greaterThan(0);
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
    expect(await peer.send(0x00, pexCodec.encode({ sum: { $case: "pexRequest", value: {} } }))).to.equal(true);
    const addrs = await answer;
    expect(addrs.$case).to.equal("pexAddrs");
    // The node put the address we advertised in NodeInfo into its book, and sends it back.
    const listed = addrs.value.addrs.map((a) => `${a.id}@${a.ip}:${a.port}`);
    expect(listed, "addresses in PexAddrs").to.include(sw.address);
  });

  it("@every-line keepalive: through the node's ping we answer it, the node receives our pong, no error for us", async function () {
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

  it("@every-line they dial us: a node with our address as a persistent peer connects, and both sides see the peer", async () => {
    const network = "rx-mconn-interop";
    const listener = await cometSwitch(network);
    switches.push(listener);
    const added = firstValueFrom(listener.peers$.pipe(filter((e) => e.type === "added")));
    const dialer = await startNode({ persistentPeers: listener.address!, pex: false, chainId: network });
    nodes.push(dialer);
    const event = await within(added, 30_000, `the node ${dialer.id} dialing our listener ${listener.address}`);
    expect(event.peer.id).to.equal(dialer.id);
    expect(event.peer.isOutbound).to.equal(false);
    await eventually(() => nodePeers(dialer), (ids) => ids.includes(listener.nodeId), 10_000, "the dialing node's net_info listing us");
  });
});
