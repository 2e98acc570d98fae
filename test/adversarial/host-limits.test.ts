/**
 * One host flooding the listener, on real sockets from several loopback addresses: the host is
 * held to its per-host limits at accept, before any cryptography, while honest peers from other
 * hosts keep being admitted.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { filter, firstValueFrom, take, toArray } from "rxjs";
import sinon from "sinon";
import { hostLimitsDefaults } from "../../src/p2p/admission/host-admission.js";
import type { PeerRejectedError } from "../../src/p2p/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { host, peerFrom, socketFrom } from "../helpers/hosts.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const channels = [{ id: 0x40, sendQueueCapacity: 4, recvMessageCapacity: 4096 }];

/** A switch with CometBFT's per-host defaults, its authenticator spied on, and a logger that counts lines. */
function victim(options: Parameters<typeof makeSwitch>[1] = {}) {
  const key = generateNodeKey();
  const authenticate = sinon.spy(secretAuthenticator(key, { timeout: 5000 }));
  const lines = { debug: 0, info: 0, summaries: [] as { refused: number; reasons: Record<string, number> }[] };
  const logger = {
    debug: () => {
      lines.debug++;
    },
    info: (fields: Record<string, unknown>, message: string) => {
      lines.info++;
      if (message === "inbound connections refused") lines.summaries.push(fields as (typeof lines.summaries)[number]);
    },
    warn: () => undefined,
    error: () => undefined,
  };
  const { sw } = makeSwitch({ chat: { channels } }, { key, authenticate, logger, ...hostLimitsDefaults, handshakeTimeout: 5000, ...options });
  /** Handshakes started for connections from `ip`. */
  const handshakesFrom = (ip: string) => authenticate.getCalls().filter((c) => c.args[0].remote.startsWith(`${ip}:`)).length;
  return { sw, authenticate, lines, handshakesFrom };
}

/** Sockets from `from` that stay silent and reconnect whenever they are cut, until stopped. */
function reconnectingFlood(sw: Switch, from: string, n: number): { stop: () => void; opened: () => number } {
  let stopped = false;
  let opened = 0;
  const sockets = new Set<Socket>();
  const open = () => {
    if (stopped) return;
    opened++;
    socketFrom(sw, from).then(
      (s) => {
        sockets.add(s);
        s.once("close", () => {
          sockets.delete(s);
          setImmediate(open);
        });
        if (stopped) s.destroy();
      },
      () => setImmediate(open),
    );
  };
  for (let i = 0; i < n; i++) open();
  return {
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
    opened: () => opened,
  };
}

/** Admits `n` honest peers from hosts 1…n (127.0.0.3 …), a few at a time; resolves with how many were added. */
async function honestPeers(sw: Switch, n: number): Promise<{ added: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  let added = 0;
  for (let i = 1; i <= n; i += 8) {
    const batch = Array.from({ length: Math.min(8, n + 1 - i) }, (_, j) => host(i + j));
    await Promise.all(
      batch.map(async (from) => {
        const addedEvent = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "added" && e.peer.socketAddr.startsWith(`${from}:`))));
        const p = await peerFrom(sw, from).catch(() => undefined);
        if (p === undefined) return;
        sockets.push(p.socket);
        p.duplex.incoming$.subscribe({ error: () => undefined }); // read (and answer nothing): a quiet peer
        if (await within(addedEvent, 5000, `peer from ${from} added`).catch(() => undefined)) added++;
      }),
    );
  }
  return { added, sockets };
}

describe("one host flooding the listener (per-host admission)", function () {
  this.timeout(120_000);
  const started: Switch[] = [];
  const open: Socket[] = [];
  const figures: Record<string, unknown> = {};
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });
  after(async () => {
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile("test/adversarial/results/host-limits.json", `${JSON.stringify(figures, null, 2)}\n`);
  });

  it("a host over its limits is refused at accept, before any cryptography: the authenticator is never called for it", async () => {
    const { sw, authenticate } = victim();
    started.push(sw);
    await sw.start();
    const first = await socketFrom(sw, host(0));
    open.push(first);
    await within((async () => { while (authenticate.callCount < 1) await new Promise((r) => setTimeout(r, 5)); })(), 5000, "the first handshake");
    const refusals = firstValueFrom(sw.rejected$.pipe(take(10), toArray()));
    for (let i = 0; i < 10; i++) open.push(await socketFrom(sw, host(0)));
    const refused = await within(refusals, 5000, "ten refusals");
    expect(refused.map((r) => (r.error as PeerRejectedError).rule)).to.deep.equal(Array(10).fill("duplicate-ip"));
    expect(authenticate.callCount, "handshakes started").to.equal(1);

    // with duplicates allowed, the rate of new connections still holds: a burst of 5, then 1/s
    const { sw: lenient, authenticate: auth2 } = victim({ allowDuplicateIp: true, maxHandshakesPerIp: 100 });
    started.push(lenient);
    await lenient.start();
    const rateRefusals = firstValueFrom(lenient.rejected$.pipe(filter((r) => (r.error as PeerRejectedError).rule === "host-rate"), take(5), toArray()));
    for (let i = 0; i < 10; i++) open.push(await socketFrom(lenient, host(0)));
    await within(rateRefusals, 5000, "five rate refusals");
    expect(auth2.callCount, "handshakes started").to.equal(hostLimitsDefaults.newConnectionsPerIpBurst);
  });

  it("64 silent sockets from one host that reconnect when cut: 40 of 40 honest peers from other hosts are admitted", async () => {
    const { sw, handshakesFrom } = victim();
    started.push(sw);
    await sw.start();
    const t0 = Date.now();
    const flood = reconnectingFlood(sw, host(0), 64);
    try {
      await new Promise((r) => setTimeout(r, 500)); // the flood is on
      const { added, sockets } = await honestPeers(sw, 40);
      open.push(...sockets);
      const seconds = (Date.now() - t0) / 1000;
      const flooderHandshakes = handshakesFrom(host(0));
      figures["reconnecting flood"] = { flooderSocketsOpened: flood.opened(), flooderHandshakes, honestAdmitted: `${added} of 40`, seconds };
      expect(added, "honest peers admitted").to.equal(40);
      // one at a time (one connection per IP), at most the burst and then one per second
      expect(flooderHandshakes, "handshakes the flooding host got").to.be.at.most(hostLimitsDefaults.newConnectionsPerIpBurst + Math.ceil(seconds) + 1);
      expect(flood.opened(), "the flood kept reconnecting").to.be.greaterThan(200);
    } finally {
      flood.stop();
    }
  });

  it("2,000 idle sockets held open by one host: new peers are admitted, and the log says one summary line per interval, not one line per refusal", async () => {
    const interval = 1000;
    const { sw, lines, handshakesFrom } = victim({ refusalSummaryInterval: interval });
    started.push(sw);
    await sw.start();
    let rejected = 0;
    sw.rejected$.subscribe(() => rejected++);
    const t0 = Date.now();
    const idle = await Promise.all(Array.from({ length: 2000 }, () => socketFrom(sw, host(0)).catch(() => undefined)));
    const connected = idle.filter((s): s is Socket => s !== undefined);
    open.push(...connected);
    const { added, sockets } = await honestPeers(sw, 31);
    open.push(...sockets);
    // the last summary: once no refusal arrived for longer than the interval
    for (let seen = -1; seen !== rejected; ) {
      seen = rejected;
      await new Promise((r) => setTimeout(r, interval + 200));
    }
    const seconds = (Date.now() - t0) / 1000;
    const summarised = lines.summaries.reduce((n, s) => n + s.refused, 0);
    figures["2,000 idle sockets"] = { connected: connected.length, refusedAtAccept: rejected, honestAdmitted: `${added} of 31`, refused: lines.debug, infoLines: lines.info, summaryLines: lines.summaries.length, seconds };
    expect(added, "new peers admitted").to.equal(31);
    expect(handshakesFrom(host(0)), "handshakes for the idle host").to.be.at.most(hostLimitsDefaults.newConnectionsPerIpBurst);
    expect(connected.length, "idle sockets connected").to.be.at.least(1000);
    // (sockets still in the kernel's accept queue when the test looks are not refused yet)
    expect(rejected, "idle sockets refused").to.be.at.least(1000);
    expect(lines.debug, "refusals logged at debug").to.equal(rejected);
    expect(summarised, "refusals counted in the summaries").to.equal(lines.debug);
    expect(lines.summaries.length, "summary lines").to.be.at.most(Math.ceil((seconds * 1000) / interval) + 1);
    expect(lines.info, "info lines: peers added and summaries").to.be.at.most(31 + lines.summaries.length);
  });
});
