/**
 * Event order over many connections on real sockets: on the receiving side, `added` (and the
 * reactor's `addPeer`) come before any message of that peer, even one sent the moment the dial
 * resolved; `removed` (and `removePeer`) only after `added`, once per peer.
 */
import { expect } from "chai";
import { filter, firstValueFrom } from "rxjs";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const CH = 0x42;
const CLIENTS = 20;
const ROUNDS = 50; // 20 × 50 = 1,000 connections

describe("Switch: event order across 1,000 connections", function () {
  this.timeout(180_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("added before any message, removed only after added, for every one of 1,000 connections", async () => {
    const timeline = new Map<Peer, string[]>();
    const log = (peer: Peer, what: string) => {
      const events = timeline.get(peer) ?? [];
      events.push(what);
      timeline.set(peer, events);
    };
    const hub = makeSwitch({
      r: {
        channels: [{ id: CH, sendQueueCapacity: 4 }],
        addPeer: (p) => log(p, "addPeer"),
        receive: (e) => log(e.peer, "receive"),
        removePeer: (p) => log(p, "removePeer"),
      },
    }).sw;
    started.push(hub);
    hub.peers$.subscribe((e) => log(e.peer, e.type));
    hub.channel(CH).messages$.subscribe((e) => log(e.peer, "message"));
    await hub.start();
    const clients = Array.from({ length: CLIENTS }, () => makeSwitch({ r: { channels: [{ id: CH, sendQueueCapacity: 4 }] } }).sw);
    started.push(...clients);
    await Promise.all(clients.map((c) => c.start()));

    await Promise.all(
      clients.map(async (client) => {
        for (let round = 0; round < ROUNDS; round++) {
          const gone = firstValueFrom(hub.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === client.nodeId)));
          const peer = await client.dial(hub.address!);
          // Sent the moment the dial resolves: it may reach the hub before the hub has added us.
          expect(peer.trySend(CH, Uint8Array.of(round))).to.equal(true);
          await client.stopPeerGracefully(peer);
          await within(gone, 10_000, `the hub's removal of ${client.nodeId.slice(0, 8)} in round ${round}`);
        }
      }),
    );

    expect(timeline.size).to.equal(CLIENTS * ROUNDS);
    const shapes = new Map<string, number>();
    for (const events of timeline.values()) {
      const shape = events.join(" ");
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    // Every connection: addPeer, added, then its one message (to messages$ and receive), then the removal.
    expect(Object.fromEntries(shapes)).to.deep.equal({ "addPeer added message receive removePeer removed": CLIENTS * ROUNDS });
  });
});
