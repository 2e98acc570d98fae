/**
 * Nodes as separate hosts on one machine: a network namespace joined to ours by a veth pair.
 * Needs root and iproute2 (`ip netns`). Run with `npm run test:netns`.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { filter, firstValueFrom } from "rxjs";
import { PongTimeoutError } from "../../src/errors.js";
import { nodeKeyFromSeed } from "../../src/secret/node-key.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
const suffix = randomBytes(2).toString("hex");
const NS = `rxm${suffix}`;
const HOST_IF = `rxh${suffix}`;
const NS_IF = `rxn${suffix}`;
const octet = 16 + (parseInt(suffix, 16) % 200);
const HOST_ADDR = `10.${octet}.0.1`;
const NS_ADDR = `10.${octet}.0.2`;

describe("a remote host behind a veth link (network namespace)", function () {
  // The lossy link's exchange takes 4–26 s here; its own wait allows 90 s.
  this.timeout(120_000);
  const children: ChildProcess[] = [];

  before(() => {
    try {
      ip("netns", "add", NS);
    } catch (err) {
      throw new Error(`this suite needs root and iproute2 (ip netns): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`, { cause: err });
    }
    ip("link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF);
    ip("link", "set", NS_IF, "netns", NS);
    ip("addr", "add", `${HOST_ADDR}/24`, "dev", HOST_IF);
    ip("link", "set", HOST_IF, "up");
    ip("-n", NS, "addr", "add", `${NS_ADDR}/24`, "dev", NS_IF);
    ip("-n", NS, "link", "set", NS_IF, "up");
    ip("-n", NS, "link", "set", "lo", "up");
  });

  after(() => {
    for (const c of children) c.kill("SIGKILL");
    try {
      ip("link", "del", HOST_IF);
    } catch {
      // already gone with the namespace
    }
    try {
      ip("netns", "del", NS);
    } catch {
      // not created
    }
  });

  /**
   * Starts quiet-node.ts inside the namespace on NS_ADDR:port; resolves with its node ID once it
   * listens, and `echoFailed`, which rejects if the node says it could not echo a message.
   */
  async function nodeInNamespace(port: number, pingMs: number): Promise<{ id: string; echoFailed: Promise<never> }> {
    const seed = randomBytes(32).toString("hex");
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, ...process.execArgv, "test/adversarial/fixtures/quiet-node.ts", seed, `${NS_ADDR}:${port}`, String(pingMs)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const echoFailed = new Promise<never>((_, reject) =>
      lines.on("line", (line) => line.includes("echo-failed") && reject(new Error(`the node in the namespace could not echo: ${line}`))),
    );
    echoFailed.catch(() => undefined); // observed by the test that waits for echoes
    await within(
      new Promise<void>((resolve) => lines.on("line", (line) => line.includes("listening") && resolve())),
      20_000,
      "the node in the namespace to listen",
    );
    return { id: nodeKeyFromSeed(Buffer.from(seed, "hex")).id, echoFailed };
  }

  it("a dead link is detected within pingInterval + pongTimeout; the peer is removed with PongTimeoutError", async () => {
    const PING = 1000;
    const { id } = await nodeInNamespace(26656, PING);
    const { sw } = makeSwitch({ echo: { channels: [{ id: 0x40, sendQueueCapacity: 100 }] } }, { listen: `${HOST_ADDR}:0`, mconnection: { pingInterval: PING, pongTimeout: PING / 2 } });
    try {
      await sw.start();
      const added = nextPeerEvents(sw, "added", 1);
      await sw.dial(`${id}@${NS_ADDR}:26656`);
      const peer = (await added)[0].peer;
      // traffic flows over the link first
      const echoed = firstValueFrom(sw.channel(0x40).messages$);
      expect(await peer.send(0x40, new TextEncoder().encode("over the link"))).to.equal(true);
      await within(echoed, 5000, "the echo across the link");

      const removed = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed")));
      ip("-n", NS, "link", "set", NS_IF, "down");
      const cut = Date.now();
      const e = await within(removed, 10_000, "the dead link to be detected");
      const took = Date.now() - cut;
      expect(e.reason.kind === "error" && e.reason.error).to.be.instanceOf(PongTimeoutError);
      // nothing arrives after the cut: ping at most pingInterval later, then pongTimeout
      expect(took, "ms from the cut to the removal").to.be.at.most(PING + PING / 2 + 250);
    } finally {
      await sw.stop();
    }
  });

  it("over a link with 100 ms delay and 2 % packet loss, 300 messages of up to 64 KiB echo back complete and in order", async () => {
    // Loss: nftables drops 2 % of the namespace's packets each way (the kernel has no netem).
    // Delay: a relay on our side holds every chunk 100 ms each way, in order.
    ip("-n", NS, "link", "set", NS_IF, "up"); // the previous test cut it
    const nft = (...args: string[]) => execFileSync("ip", ["netns", "exec", NS, "nft", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    nft("add", "table", "inet", "lossy");
    nft("add chain inet lossy in { type filter hook input priority 0 ; }");
    nft("add", "rule", "inet", "lossy", "in", "numgen", "random", "mod", "100", "<", "2", "counter", "drop");
    nft("add chain inet lossy out { type filter hook output priority 0 ; }");
    nft("add", "rule", "inet", "lossy", "out", "numgen", "random", "mod", "100", "<", "2", "counter", "drop");
    const { id, echoFailed } = await nodeInNamespace(26657, 60_000);
    const relay = await delayingRelay(NS_ADDR, 26657, 100);
    const { sw } = makeSwitch({ echo: { channels: [{ id: 0x40, sendQueueCapacity: 100, recvMessageCapacity: 1 << 20 }] } }, { handshakeTimeout: 10_000 });
    try {
      await sw.start();
      const added = nextPeerEvents(sw, "added", 1, 30_000);
      await within(sw.dial(`${id}@127.0.0.1:${relay.port}`), 30_000, "the dial over the slow, lossy link");
      const peer = (await added)[0].peer;
      const sent = Array.from({ length: 300 }, (_, i) => randomBytes((i * 7919) % (64 * 1024)));
      const got: Buffer[] = [];
      const all = new Promise<void>((resolve) =>
        sw.channel(0x40).messages$.subscribe((e) => {
          got.push(Buffer.from(e.message));
          if (got.length === sent.length) resolve();
        }),
      );
      for (const m of sent) expect(await peer.send(0x40, m)).to.equal(true);
      await within(Promise.race([all, echoFailed]), 90_000, "every echo over the slow, lossy link");
      expect(got.map((b) => b.toString("hex"))).to.deep.equal(sent.map((b) => b.toString("hex")));
      expect(peer.isRunning).to.equal(true);
      // the link really lost packets on the way
      const counted = [...nft("list", "ruleset").toString().matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
      expect(counted.reduce((a, b) => a + b, 0), "packets dropped by the lossy link").to.be.greaterThan(0);
    } finally {
      await sw.stop();
      await relay.close();
    }
  });
});

/** A TCP relay on 127.0.0.1 to host:port that holds every chunk `ms` in each direction, in order. */
async function delayingRelay(host: string, port: number, ms: number): Promise<{ port: number; close: () => Promise<void> }> {
  const delay = (from: Socket, to: Socket) => {
    from.on("data", (chunk: Buffer) => {
      setTimeout(() => to.write(chunk), ms);
    });
    from.on("end", () => setTimeout(() => to.end(), ms));
    from.on("error", () => to.destroy());
  };
  const server = createServer((inbound) => {
    const outbound = connect(port, host);
    delay(inbound, outbound);
    delay(outbound, inbound);
    inbound.on("close", () => setTimeout(() => outbound.destroy(), ms));
    outbound.on("close", () => setTimeout(() => inbound.destroy(), ms));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  // Closing waits out the relay's own delays (each chunk, end and close is held `ms`), so that
  // no timer of the relay outlives the test.
  const close = async () => {
    server.close();
    await new Promise((r) => setTimeout(r, 3 * ms));
  };
  return { port: (server.address() as { port: number }).port, close };
}
