/**
 * A persistent peer that completes the handshake and closes at once, forever (a full node, or
 * one that dislikes our NodeInfo): the switch redials it on the backoff schedule, never in a
 * storm, and every failure is on peers$ (added, then removed with its reason) or rejected$.
 * Real sockets; CometBFT's durations scaled down 10× (5 s steady interval → 500 ms, 3 s jitter →
 * 300 ms, 10 s minConnectionLifetime → 1 s), so 6 s here stand for a minute.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import sinon from "sinon";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import type { PeerEvent, Rejection, Switch } from "../../src/p2p/switch.js";
import { upgrade } from "../../src/p2p/upgrade.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { peerNodeInfo } from "../helpers/hosts.js";
import { makeSwitch } from "../helpers/switches.js";

const SCALE = 10;
const MINUTE_MS = 60_000 / SCALE;

/** A listener that completes SecretConnection and NodeInfo with whoever dials, then closes. */
async function closingPeer(): Promise<{ id: string; port: number; handshakes: number[]; server: Server; sockets: Set<Socket> }> {
  const key = generateNodeKey();
  const handshakes: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    upgrade(socketDuplex(socket), { authenticate: secretAuthenticator(key), ourInfo: peerNodeInfo(key.id, "127.0.0.1"), handshakeTimeout: 5000 }).then(
      (up) => {
        handshakes.push(performance.now());
        up.duplex.destroy();
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { id: key.id, port: address.port, handshakes, server, sockets };
}

describe("redial of a persistent peer that closes right after the handshake", function () {
  this.timeout(60_000);
  let sw: Switch | undefined;
  let peer: Awaited<ReturnType<typeof closingPeer>> | undefined;
  afterEach(async () => {
    await sw?.stop();
    for (const s of peer?.sockets ?? []) s.destroy();
    await new Promise((resolve) => peer?.server.close(resolve));
  });

  it(`at most a handful of handshakes a (scaled) minute, each failure on peers$ or rejected$ with its reason`, async () => {
    peer = await closingPeer();
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
    ({ sw } = makeSwitch(
      { r: { channels: [{ id: 0x40 }] } },
      {
        persistentPeers: [`${peer.id}@127.0.0.1:${peer.port}`],
        backoff: { steadyAttempts: 20, steadyInterval: 5000 / SCALE, backoffAttempts: 10, backoffBaseSeconds: 3, jitter: 3000 / SCALE },
        minConnectionLifetime: 10_000 / SCALE,
        logger,
      },
    ));
    const removed: PeerEvent[] = [];
    const rejected: Rejection[] = [];
    sw.peers$.subscribe((e) => {
      if (e.type === "removed") removed.push(e);
    });
    sw.rejected$.subscribe((r) => rejected.push(r));
    await sw.start();
    const started = performance.now();
    await new Promise((r) => setTimeout(r, MINUTE_MS));
    // A connection still up when we stop is closed by us ("closed"): only those before are the peer's doing.
    const removedBeforeStop = removed.length;
    await sw.stop();
    const handshakes = peer.handshakes.length;

    // The schedule allows one attempt at once, then one every 500–800 ms: at most 13 in 6 s.
    expect(handshakes, "handshakes completed with the peer").to.be.within(3, 1 + Math.ceil(MINUTE_MS / (5000 / SCALE)));
    const gaps = peer.handshakes.slice(1).map((t, i) => t - peer!.handshakes[i]);
    expect(Math.min(...gaps), "the shortest wait between two handshakes (ms)").to.be.at.least(5000 / SCALE - 50);
    // each attempt is told: added then removed with its reason (remote-closed, or the error), or
    // refused before it was added (rejected$, outbound, with the error)
    const rejectedOutbound = rejected.filter((r) => r.direction === "outbound").length;
    const told = removed.length + rejectedOutbound;
    expect(told, "failures told on peers$ and rejected$").to.be.within(handshakes - 1, handshakes + 1);
    for (const e of removed.slice(0, removedBeforeStop)) expect(e.type === "removed" && e.reason.kind, "a removal's reason").to.be.oneOf(["remote-closed", "error"]);
    for (const e of removed.slice(removedBeforeStop)) expect(e.type === "removed" && e.reason.kind, "a removal by our stop").to.be.oneOf(["closed", "remote-closed", "error"]);
    for (const r of rejected) expect(r.error, "a rejection's reason").to.be.instanceOf(Error);
    // the log: each failure at debug, with its reason; at info a summary on the 1st and every 10th
    const failureLines = logger.debug.getCalls().filter((c) => String(c.args[1]).startsWith("persistent peer:"));
    expect(failureLines.length, "one debug line per failure").to.be.within(told - 1, told);
    for (const c of failureLines) expect((c.args[0] as { err?: unknown }).err, "the reason, logged").to.be.a("string").and.not.equal("");
    const summaries = logger.info.getCalls().filter((c) => String(c.args[1]).startsWith("persistent peer unreachable"));
    expect(summaries.length, "info summaries").to.be.within(1, 2);

    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile(
      "test/adversarial/results/redial.json",
      `${JSON.stringify(
        {
          scale: SCALE,
          windowMs: Math.round(performance.now() - started),
          handshakes,
          shortestGapMs: Math.round(Math.min(...gaps)),
          removedOnPeers: removed.length,
          rejectedOutbound,
          before: "redialled at once after each short-lived connection: 22,796 handshakes in 40 s against CometBFT v0.38.26",
        },
        null,
        2,
      )}\n`,
    );
  });
});
