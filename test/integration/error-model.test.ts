/**
 * One error model: literal reasons, one timeout class, an internal-error class, and the peer
 * named on every error about a peer (a connection's end, a refused dial, a refused handshake).
 */
import { createServer } from "node:net";
import { expect } from "chai";
import { NEVER } from "rxjs";
import { InternalError, MConnError, MessageTooLargeError, PingFloodError, PongTimeoutError, TimeoutError, TransportError, WriteStallError } from "../../src/errors.js";
import { namePeer } from "../../src/error-base.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { DialError, NodeInfoError, type NodeInfoRule } from "../../src/p2p/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { Strobe128 } from "../../src/secret/strobe.js";
import { FakeDuplex } from "../helpers/fake-duplex.js";
import { testScheduler } from "../helpers/marbles.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";

describe("one error model", function () {
  this.timeout(30_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("reasons are literal types; every timeout is a TimeoutError with its stage", () => {
    // Compile-time: each class's reason is its literal (a wrong literal fails `tsc`).
    const flood: "ping-flood" = new PingFloodError("1/s").reason;
    const rule: `node-info:${NodeInfoRule}` = new NodeInfoError("network", "x").reason;
    expect([flood, rule]).to.deep.equal(["ping-flood", "node-info:network"]);
    const pong = new PongTimeoutError(45_000);
    const stall = new WriteStallError(20_000);
    for (const [e, stage] of [[pong, "pong"], [stall, "write"], [new TimeoutError("node-info", 3000), "node-info"]] as const) {
      expect(e).to.be.instanceOf(TimeoutError);
      expect(e.stage).to.equal(stage);
    }
    expect(pong).to.include({ reason: "pong-timeout", timeoutMs: 45_000 });
  });

  it("a state that cannot happen is an InternalError (a bug, not the peer's fault)", () => {
    const strobe = new Strobe128(new TextEncoder().encode("test"));
    strobe.ad(Uint8Array.of(1));
    expect(() => strobe.prf(8, true)).to.throw(InternalError, /a bug in rx-mconn/);
  });

  it("namePeer names a peer once; an MConnection given its peer names it on the error that ends it", () => {
    const ref = { id: "ab".repeat(20), address: "127.0.0.1:1" };
    const named = namePeer(new TransportError("x"), ref);
    expect(named.peer).to.deep.equal(ref);
    expect(namePeer(named, { id: "cd".repeat(20) }).peer).to.deep.equal(ref);
    const conn = new MConnection(new FakeDuplex(NEVER, testScheduler()), { channels: [{ id: 1 }], peer: ref });
    conn.start();
    conn.abort(new TransportError("reset"));
    const reason = conn.closeReason;
    expect(reason?.kind === "error" && reason.error.peer).to.deep.equal(ref);
  });

  it("a peer of the switch ended by what it sent: the error names it (ID and address)", async () => {
    const { sw: hub } = makeSwitch({ r: { channels: [{ id: 1, recvMessageCapacity: 10 }] } });
    const { sw: spoke } = makeSwitch({ r: { channels: [{ id: 1 }] } });
    started.push(hub, spoke);
    await hub.start();
    await spoke.start();
    const added = nextPeerEvents(hub, "added", 1);
    const removed = nextPeerEvents(hub, "removed", 1);
    const peer = await spoke.dial(hub.address!);
    await added;
    await peer.send(1, new Uint8Array(100)); // over the hub's recvMessageCapacity
    const [event] = await removed;
    const error = event.type === "removed" && event.reason.kind === "error" ? event.reason.error : undefined;
    expect(error).to.be.instanceOf(MessageTooLargeError);
    expect(error?.peer).to.deep.equal({ id: spoke.nodeId, address: event.peer.socketAddr });
  });

  it("a failed dial names the peer dialed; a refused handshake names the authenticated peer", async () => {
    const { sw } = makeSwitch({ r: { channels: [{ id: 1 }] } });
    started.push(sw);
    await sw.start();
    // A port with nothing listening: take one, then close it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const id = generateNodeKey().id;
    const dialed = await sw.dial(`${id}@127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(dialed).to.be.instanceOf(DialError);
    expect((dialed as MConnError).peer).to.deep.equal({ id, address: `127.0.0.1:${port}` });

    const other = makeSwitch({ r: { channels: [{ id: 1 }] } }, { network: "other-net" });
    started.push(other.sw);
    await other.sw.start();
    const refused = await sw.dial(other.sw.address!).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(NodeInfoError);
    expect((refused as MConnError).peer?.id).to.equal(other.sw.nodeId);
  });
});
