/**
 * Many hosts each holding one silent socket: more hosts than the listener has handshake slots,
 * each within its own per-host limits, reopening its socket whenever it is cut. New honest
 * peers from other hosts still get in, because a new connection takes the slot of the oldest
 * silent handshake. Real sockets from 200 loopback hosts; event counts only.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { filter, firstValueFrom, take } from "rxjs";
import { hostLimitsDefaults } from "../../src/p2p/admission/host-admission.js";
import type { PeerRejectedError } from "../../src/p2p/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { host, peerFrom, socketFrom } from "../helpers/hosts.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const HOSTS = 200;
const SLOTS = 64; // the default maxPendingHandshakes
const HONEST = 20;
/** Times each silent host reopens its socket after it was cut (within its burst of new connections). */
const REOPENS = hostLimitsDefaults.newConnectionsPerIpBurst - 1;

describe("hundreds of hosts each holding one silent socket (handshake slots)", function () {
  this.timeout(120_000);
  let sw: Switch;
  const open = new Set<Socket>();
  let stopped = false;
  afterEach(async () => {
    stopped = true;
    for (const s of open) s.destroy();
    await sw.stop();
  });

  /** One silent socket from `from`, reopened (up to REOPENS times) whenever it is cut. */
  async function silentHost(from: string, reopens = REOPENS): Promise<void> {
    const s = await socketFrom(sw, from).catch(() => undefined);
    if (s === undefined) return;
    open.add(s);
    s.once("close", () => {
      open.delete(s);
      if (!stopped && reopens > 0) void silentHost(from, reopens - 1);
    });
  }

  it(`${HOSTS} hosts × 1 silent socket against ${SLOTS} slots: ${HONEST} of ${HONEST} new honest peers get in`, async () => {
    stopped = false;
    ({ sw } = makeSwitch({ chat: { channels: [{ id: 0x40 }] } }, { ...hostLimitsDefaults, handshakeTimeout: 60_000, maxInboundPeers: HONEST + 5 }));
    await sw.start();
    const slotRefusals = { n: 0 };
    const evictions$ = sw.rejected$.pipe(filter((r) => (r.error as PeerRejectedError).rule === "max-handshakes"));
    evictions$.subscribe(() => slotRefusals.n++);
    // every slot taken, and the oldest silent handshakes gave theirs up to the later sockets
    const full = firstValueFrom(evictions$.pipe(take(HOSTS - SLOTS)));
    for (let i = 0; i < HOSTS; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => silentHost(host(i + j))));
    await within(full, 30_000, `${HOSTS - SLOTS} slots given up`);

    let added = 0;
    const sockets: Socket[] = [];
    for (let i = 0; i < HONEST; i++) {
      const from = host(HOSTS + 10 + i);
      const addedEvent = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "added" && e.peer.socketAddr.startsWith(`${from}:`))));
      const peer = await peerFrom(sw, from).catch(() => undefined);
      if (peer === undefined) continue;
      sockets.push(peer.socket);
      open.add(peer.socket);
      peer.duplex.incoming$.subscribe({ error: () => undefined });
      if (await within(addedEvent, 30_000, `honest peer ${i} added`).catch(() => undefined)) added++;
    }
    const silentStillOpen = open.size - sockets.length;
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile(
      "test/adversarial/results/silent-hosts.json",
      `${JSON.stringify({ silentHosts: HOSTS, slots: SLOTS, honestAdmitted: added, honestTried: HONEST, slotEvictions: slotRefusals.n, silentSocketsOpenAtEnd: silentStillOpen }, null, 2)}\n`,
    );
    expect(added, "honest peers admitted").to.equal(HONEST);
    expect(silentStillOpen, "silent sockets still holding slots").to.be.at.most(SLOTS);
  });
});
