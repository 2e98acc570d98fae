/**
 * Admission on real sockets: duplicate peer IDs, the inbound limit, the user's filters, the
 * bound on handshakes in progress.
 */
import { expect } from "chai";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { firstValueFrom, take, toArray } from "rxjs";
import { PeerRejectedError } from "../../src/p2p/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const reactor = () => ({ channels: [{ id: 0x40 }] });

describe("Switch admission", function () {
  this.timeout(30_000);
  const started: Switch[] = [];
  async function start(options: Parameters<typeof makeSwitch>[1] = {}) {
    const made = makeSwitch({ chat: reactor() }, options);
    started.push(made.sw);
    await made.sw.start();
    return made;
  }
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("refuses a second connection from a peer ID already connected (dial and inbound), and logs what happened", async () => {
    const logged: string[] = [];
    const record = (level: string) => (fields: Record<string, unknown>, message: string) => logged.push(`${level} ${message} ${typeof fields["reason"] === "string" ? fields["reason"] : ""}`.trim());
    const logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
    const { sw: a } = await start({ logger });
    const { sw: b, key } = await start();
    const added = nextPeerEvents(a, "added", 1);
    await b.dial(a.address!);
    await added;
    const again = await b.dial(a.address!).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(PeerRejectedError);
    expect((again as PeerRejectedError).rule).to.equal("duplicate-id");
    // the same key dialing in again from another switch
    const { sw: twin } = await start({ key });
    const refused = firstValueFrom(a.rejected$);
    await twin.dial(a.address!).catch(() => undefined);
    const { error } = await within(refused, 5000, "the refusal");
    expect((error as PeerRejectedError).rule).to.equal("duplicate-id");
    expect(a.peers.size).to.equal(1);
    expect(logged).to.include("info peer added");
    expect(logged).to.include("debug inbound connection refused rejected:duplicate-id");
  });

  it("refuses inbound peers beyond maxInboundPeers, keeping the ones it has", async () => {
    const { sw: hub } = await start({ maxInboundPeers: 2 });
    const spokes = await Promise.all([start(), start(), start()]);
    const added = nextPeerEvents(hub, "added", 2);
    await spokes[0].sw.dial(hub.address!);
    await spokes[1].sw.dial(hub.address!);
    await added;
    const refused = firstValueFrom(hub.rejected$);
    await spokes[2].sw.dial(hub.address!).catch(() => undefined);
    const { error } = await within(refused, 5000, "the refusal");
    expect((error as PeerRejectedError).rule).to.equal("max-inbound");
    expect([...hub.peers.keys()].sort()).to.deep.equal([spokes[0].key.id, spokes[1].key.id].sort());
  });

  it("applies the user's filters: by address before the handshake, by ID and NodeInfo after", async () => {
    const banned = makeSwitch({ chat: reactor() });
    started.push(banned.sw);
    await banned.sw.start();
    const { sw: guarded } = await start({ filterPeer: (id) => id !== banned.key.id });
    const refused = firstValueFrom(guarded.rejected$);
    await banned.sw.dial(guarded.address!).catch(() => undefined);
    const { error } = await within(refused, 5000, "the ID filter");
    expect((error as PeerRejectedError).rule).to.equal("filter");

    const { sw: closed } = await start({ filterAddress: () => false });
    const { sw: anyone } = await start();
    const byAddress = firstValueFrom(closed.rejected$);
    const dialed = await anyone.dial(closed.address!).catch((e: unknown) => e);
    expect(dialed).to.be.instanceOf(Error); // the socket was closed before any handshake
    const { error: e2 } = await within(byAddress, 5000, "the address filter");
    expect((e2 as PeerRejectedError).rule).to.equal("filter");
    expect(closed.peers.size).to.equal(0);
  });

  it("bounds the handshakes in progress: past maxPendingHandshakes, the oldest silent handshakes give their slots to new sockets", async () => {
    const { sw } = await start({ maxPendingHandshakes: 4, handshakeTimeout: 20_000 });
    const port = sw.listenAddress!.port;
    const silent: Socket[] = [];
    const refusals = firstValueFrom(sw.rejected$.pipe(take(3), toArray()));
    for (let i = 0; i < 7; i++) {
      const s = connect(port, "127.0.0.1");
      s.on("error", () => undefined);
      await once(s, "connect");
      silent.push(s);
    }
    const errors = (await within(refusals, 5000, "three refusals")).map((f) => f.error as PeerRejectedError);
    expect(errors.map((e) => e.rule)).to.deep.equal(["max-handshakes", "max-handshakes", "max-handshakes"]);
    expect(errors.every((e) => e.message.includes("the oldest silent handshake gave its slot"))).to.equal(true);
    // the first three were cut, the four newest still hold their slots
    await within(Promise.all(silent.slice(0, 3).map((s) => new Promise((closed) => (s.closed ? closed(undefined) : s.once("close", closed))))), 5000, "the three oldest closed");
    expect(silent.slice(3).map((s) => s.closed)).to.deep.equal([false, false, false, false]);
    for (const s of silent) s.destroy();
  });
});
