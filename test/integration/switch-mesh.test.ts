/**
 * Three switches on 127.0.0.1 in a full mesh over SecretConnection, each with two reactors on
 * three channels.
 */
import { expect } from "chai";
import { firstValueFrom, filter, startWith, Subject } from "rxjs";
import type { Envelope, Reactor } from "../../src/p2p/reactor.js";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import type { CloseReason } from "../../src/mconn/close-reason.js";
import { ConfigError } from "../../src/errors.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

/** A seed-style reactor recording what it sees. */
function recorder(channels: number[]) {
  const log: string[] = [];
  const received: Envelope<unknown>[] = [];
  const reactor: Reactor = {
    channels: channels.map((id) => ({ id, priority: id, sendQueueCapacity: 20 })),
    initPeer: (p: Peer) => log.push(`init ${p.id.slice(0, 6)}`),
    addPeer: (p: Peer) => log.push(`add ${p.id.slice(0, 6)}`),
    removePeer: (p: Peer, r: CloseReason) => log.push(`remove ${p.id.slice(0, 6)} ${r.kind}`),
    receive: (e) => received.push(e),
  };
  return { reactor, log, received };
}

describe("Switch: three nodes in a full mesh on 127.0.0.1", function () {
  this.timeout(60_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  function node(name: string) {
    const chat = recorder([0x40, 0x41]);
    const blocks = recorder([0x42]);
    const { sw, key } = makeSwitch({ chat: chat.reactor, blocks: blocks.reactor }, { moniker: name });
    started.push(sw);
    return { name, sw, key, chat, blocks };
  }

  async function mesh() {
    const nodes = [node("a"), node("b"), node("c")];
    for (const n of nodes) await n.sw.start();
    const [a, b, c] = nodes as [ReturnType<typeof node>, ReturnType<typeof node>, ReturnType<typeof node>];
    const allAdded = nodes.map((n) => nextPeerEvents(n.sw, "added", 2));
    await b.sw.dial(a.sw.address!);
    await c.sw.dial(a.sw.address!);
    await c.sw.dial(b.sw.address!);
    await Promise.all(allAdded);
    return { a, b, c, nodes };
  }

  it("delivers every broadcast exactly once to each other node, on every channel, to messages$ and to the reactor", async () => {
    const { nodes } = await mesh();
    const seen = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
    const arrived = new Subject<void>();
    /** Resolves once `done()` holds, checked at each arrival. */
    const when = (done: () => boolean, what: string) => within(firstValueFrom(arrived.pipe(startWith(undefined), filter(done))), 10_000, what);
    for (const n of nodes)
      for (const ch of [0x40, 0x41, 0x42])
        n.sw.channel(ch).messages$.subscribe((e) => {
          seen.get(n.name)!.push(`${e.channelId}:${str(e.message)}`);
          arrived.next();
        });
    for (const n of nodes) {
      expect(n.sw.peers.size).to.equal(2);
      for (const ch of [0x40, 0x41, 0x42])
        for (let i = 0; i < 5; i++) expect(n.sw.broadcast(ch, text(`${n.name}${i}`)).queued).to.equal(2);
    }
    const expected = (me: string) =>
      nodes
        .filter((n) => n.name !== me)
        .flatMap((n) => [0x40, 0x41, 0x42].flatMap((ch) => [0, 1, 2, 3, 4].map((i) => `${ch}:${n.name}${i}`)))
        .sort();
    await when(() => nodes.every((n) => seen.get(n.name)!.length >= 30), "every broadcast");
    // A fence behind the broadcasts on every connection and channel: messages of one channel
    // arrive in order, so a duplicate of a broadcast would arrive before the fence.
    for (const n of nodes) for (const ch of [0x40, 0x41, 0x42]) n.sw.broadcast(ch, text(`${n.name}-fence`));
    const unfenced = (name: string) => seen.get(name)!.filter((m) => !m.endsWith("-fence"));
    await when(() => nodes.every((n) => seen.get(n.name)!.length - unfenced(n.name).length === 6), "every fence");
    for (const n of nodes) seen.set(n.name, unfenced(n.name));
    for (const n of nodes) {
      n.chat.received.splice(0, n.chat.received.length, ...n.chat.received.filter((e) => !str(e.message).endsWith("-fence")));
      n.blocks.received.splice(0, n.blocks.received.length, ...n.blocks.received.filter((e) => !str(e.message).endsWith("-fence")));
    }
    for (const n of nodes) {
      expect([...seen.get(n.name)!].sort(), n.name).to.deep.equal(expected(n.name));
      // the seed-style reactors got the same messages, each on its own channels
      const viaReactors = [...n.chat.received, ...n.blocks.received].map((e) => `${e.channelId}:${str(e.message)}`).sort();
      expect(viaReactors, `${n.name} reactors`).to.deep.equal(expected(n.name));
      expect(n.blocks.received.every((e) => e.channelId === 0x42)).to.equal(true);
      // in order per sender and channel
      for (const other of nodes.filter((o) => o !== n))
        for (const ch of [0x40, 0x41, 0x42]) {
          const order = seen.get(n.name)!.filter((s) => s.startsWith(`${ch}:${other.name}`));
          expect(order).to.deep.equal([0, 1, 2, 3, 4].map((i) => `${ch}:${other.name}${i}`));
        }
    }
    for (const n of nodes) expect(n.chat.log.filter((l) => l.startsWith("add"))).to.have.length(2);
  });

  it("a stopped node is removed by the others with its reason; the reactors hear of it", async () => {
    const { a, b, c } = await mesh();
    const gone = [nextPeerEvents(a.sw, "removed", 1), nextPeerEvents(b.sw, "removed", 1)];
    await c.sw.stop();
    for (const [events, n] of [
      [await gone[0], a],
      [await gone[1], b],
    ] as const) {
      const e = events[0];
      expect(e.peer.id).to.equal(c.key.id);
      expect(e.type === "removed" && e.reason.kind).to.equal("remote-closed");
      expect(n.chat.log).to.include(`remove ${c.key.id.slice(0, 6)} remote-closed`);
      expect(n.sw.peers.has(c.key.id)).to.equal(false);
    }
    // a and b still talk
    const got = firstValueFrom(b.sw.channel(0x40).messages$.pipe(filter((e) => str(e.message) === "still here")));
    expect(a.sw.broadcast(0x40, text("still here")).queued).to.equal(1);
    await within(got, 5000, "a message between the remaining nodes");
  });

  it("redials a persistent peer that comes back on the same address", async () => {
    const b = node("b");
    await b.sw.start();
    const address = b.sw.address!;
    const persistent = makeSwitch(
      { chat: recorder([0x40, 0x41]).reactor, blocks: recorder([0x42]).reactor },
      { persistentPeers: [address], backoff: { steadyAttempts: 50, steadyInterval: 100, backoffAttempts: 0, backoffBaseSeconds: 3, jitter: 0 } },
    ).sw;
    started.push(persistent);
    const first = nextPeerEvents(persistent, "added", 1);
    await persistent.start();
    expect((await first)[0].peer.id).to.equal(b.key.id);

    const removed = nextPeerEvents(persistent, "removed", 1);
    const again = nextPeerEvents(persistent, "added", 1, 15_000);
    await b.sw.stop();
    await removed;
    // b comes back: same key, same port
    const port = Number(address.split(":").pop());
    const back = makeSwitch({ chat: recorder([0x40, 0x41]).reactor, blocks: recorder([0x42]).reactor }, { key: b.key, listen: `127.0.0.1:${port}` }).sw;
    started.push(back);
    await back.start();
    const [e] = await again;
    expect(e.peer.id).to.equal(b.key.id);
    expect(e.peer.isPersistent).to.equal(true);
    expect(e.peer.isOutbound).to.equal(true);
  });

  it("refuses a second reactor on a channel already owned, naming both", () => {
    const { sw } = makeSwitch({ chat: recorder([0x40]).reactor });
    expect(() => sw.addReactor("other", recorder([0x41, 0x40]).reactor)).to.throw(ConfigError, /channel 64 of reactor other is already owned by reactor chat/);
  });
});
