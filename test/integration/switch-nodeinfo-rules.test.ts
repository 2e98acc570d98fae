/**
 * Every NodeInfo rule, broken by a peer that completes SecretConnection and then sends a crafted
 * NodeInfo: the switch refuses it with the matching NodeInfoError and closes only that
 * connection, while a well-behaved peer keeps exchanging messages.
 */
import { expect } from "chai";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { filter, firstValueFrom } from "rxjs";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { NodeInfoError, PeerRejectedError, type NodeInfoRule } from "../../src/p2p/errors.js";
import { encodeNodeInfo, type NodeInfo } from "../../src/p2p/node-info.js";
import type { Switch } from "../../src/p2p/switch.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey, type NodeKey } from "../../src/secret/node-key.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const text = (s: string) => new TextEncoder().encode(s);
const reactor = { channels: [{ id: 0x40, sendQueueCapacity: 10 }] };

function infoFor(key: NodeKey, change: Partial<NodeInfo> = {}): NodeInfo {
  return {
    protocolVersion: { p2p: 8, block: 11, app: 0 },
    nodeId: key.id,
    listenAddr: "127.0.0.1:1",
    network: "test-net",
    version: "1.0.0",
    channels: Uint8Array.of(0x40),
    moniker: "rogue",
    other: { txIndex: "on", rpcAddress: "" },
    ...change,
  };
}

/** Connects to `port`, completes SecretConnection with `key`, sends `body` as its NodeInfo; resolves when the far end closes. */
async function rogue(port: number, key: NodeKey, body: Uint8Array): Promise<void> {
  const socket: Socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const closed = once(socket, "close");
  const secret = await secretHandshake(socketDuplex(socket), key);
  secret.duplex.write(Buffer.concat([encodeUvarint(body.length), body]));
  secret.duplex.incoming$.subscribe({ error: () => undefined });
  await within(closed, 10_000, "the switch to close the rogue connection");
}

describe("Switch: a peer breaking a NodeInfo rule is refused, others stay connected", function () {
  this.timeout(60_000);
  let sw: Switch;
  let good: Switch;
  let port: number;

  before(async () => {
    ({ sw } = makeSwitch({ chat: reactor }));
    ({ sw: good } = makeSwitch({ chat: reactor }));
    await sw.start();
    await good.start();
    port = sw.listenAddress!.port;
    const added = nextPeerEvents(sw, "added", 1);
    await good.dial(sw.address!);
    await added;
  });
  after(async () => {
    await good.stop();
    await sw.stop();
  });

  const other = generateNodeKey();
  const cases: [NodeInfoRule, (k: NodeKey) => Uint8Array][] = [
    ["node-id", (k) => encodeNodeInfo(infoFor(k, { nodeId: "not-an-id" }))],
    ["listen-addr", (k) => encodeNodeInfo(infoFor(k, { listenAddr: "nowhere" }))],
    ["version", (k) => encodeNodeInfo(infoFor(k, { version: "1.0\u0001" }))],
    ["channels-count", (k) => encodeNodeInfo(infoFor(k, { channels: Uint8Array.from({ length: 17 }, (_, i) => 0x40 + i) }))],
    ["channels-duplicate", (k) => encodeNodeInfo(infoFor(k, { channels: Uint8Array.of(0x40, 0x40) }))],
    ["moniker", (k) => encodeNodeInfo(infoFor(k, { moniker: "" }))],
    ["tx-index", (k) => encodeNodeInfo(infoFor(k, { other: { txIndex: "maybe", rpcAddress: "" } }))],
    ["rpc-address", (k) => encodeNodeInfo(infoFor(k, { other: { txIndex: "on", rpcAddress: "\u0002" } }))],
    ["too-large", (k) => encodeNodeInfo(infoFor(k, { moniker: "m".repeat(11_000) }))],
    ["undecodable", () => Uint8Array.of(0x0a, 0x05, 0x01)],
    ["id-mismatch", () => encodeNodeInfo(infoFor(other))],
    ["block-version", (k) => encodeNodeInfo(infoFor(k, { protocolVersion: { p2p: 8, block: 10, app: 0 } }))],
    ["network", (k) => encodeNodeInfo(infoFor(k, { network: "other-net" }))],
    ["no-common-channel", (k) => encodeNodeInfo(infoFor(k, { channels: Uint8Array.of(0x99) }))],
  ];

  for (const [rule, body] of cases) {
    it(rule, async () => {
      const key = generateNodeKey();
      const refused = firstValueFrom(sw.rejected$);
      await rogue(port, key, body(key));
      const { error } = await within(refused, 5000, `the refusal for ${rule}`);
      expect(error).to.be.instanceOf(NodeInfoError);
      expect((error as NodeInfoError).rule).to.equal(rule);
      expect(sw.peers.has(key.id)).to.equal(false);
      // the good peer is still connected and exchanging
      const got = firstValueFrom(good.channel(0x40).messages$.pipe(filter((e) => new TextDecoder().decode(e.message) === rule)));
      expect(sw.broadcast(0x40, text(rule)).queued).to.equal(1);
      await within(got, 5000, "a message to the good peer");
    });
  }

  it("self: a connection from our own key", async () => {
    // the listener's own key: authenticated as ourselves, NodeInfo naming ourselves
    const { sw: loner, key } = makeSwitch({ chat: reactor });
    await loner.start();
    try {
      const refused = firstValueFrom(loner.rejected$);
      await rogue(loner.listenAddress!.port, key, encodeNodeInfo(infoFor(key)));
      const { error } = await within(refused, 5000, "the refusal");
      expect(error).to.be.instanceOf(NodeInfoError);
      expect((error as NodeInfoError).rule).to.equal("self");
    } finally {
      await loner.stop();
    }
  });

  it("dialing a peer that breaks a rule rejects dial() with the NodeInfoError; a wrong dialed ID with dial-id-mismatch; the dialer keeps its peers", async () => {
    const k = generateNodeKey();
    const server = createServer((socket) => {
      void (async () => {
        const secret = await secretHandshake(socketDuplex(socket), k);
        const body = encodeNodeInfo(infoFor(k, { network: "elsewhere" }));
        secret.duplex.write(Buffer.concat([encodeUvarint(body.length), body]));
        secret.duplex.incoming$.subscribe({ error: () => undefined });
      })().catch(() => socket.destroy());
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const at = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const err = await sw.dial(`${k.id}@${at}`).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NodeInfoError);
      expect((err as NodeInfoError).rule).to.equal("network");
      const wrongId = await sw.dial(`${other.id}@${at}`).catch((e: unknown) => e);
      expect(wrongId).to.be.instanceOf(PeerRejectedError);
      expect((wrongId as PeerRejectedError).rule).to.equal("dial-id-mismatch");
      expect(sw.peers.has(good.nodeId)).to.equal(true);
      expect(sw.peers.has(k.id)).to.equal(false);
    } finally {
      server.close();
    }
  });
});
