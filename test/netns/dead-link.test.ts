/**
 * Nodes as separate hosts on one machine: a network namespace joined to ours by a veth pair.
 * Needs root and iproute2 (`ip netns`). Run with `npm run test:netns`.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
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
  this.timeout(60_000);
  const children: ChildProcess[] = [];

  before(() => {
    try {
      ip("netns", "add", NS);
    } catch (err) {
      throw new Error(`this suite needs root and iproute2 (ip netns): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`);
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

  it("a dead link is detected within pingInterval + pongTimeout; the peer is removed with PongTimeoutError", async () => {
    const PING = 1000;
    const seed = randomBytes(32).toString("hex");
    const id = nodeKeyFromSeed(Buffer.from(seed, "hex")).id;
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, ...process.execArgv, "test/adversarial/fixtures/quiet-node.ts", seed, `${NS_ADDR}:26656`, String(PING)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    await within(
      new Promise<void>((resolve) => child.stdout!.on("data", (c: Buffer) => c.toString().includes("listening") && resolve())),
      20_000,
      "the node in the namespace to listen",
    );
    const { sw } = makeSwitch({ echo: { channels: [{ id: 0x40, sendQueueCapacity: 100 }] } }, { listen: `${HOST_ADDR}:0`, mconnection: { pingInterval: PING, pongTimeout: PING / 2 } });
    try {
      await sw.start();
      const added = nextPeerEvents(sw, "added", 1);
      await sw.dial(`${id}@${NS_ADDR}:26656`);
      const peer = (await added)[0]!.peer;
      // traffic flows over the link first
      const echoed = firstValueFrom(sw.channel(0x40).messages$);
      expect(await peer.send(0x40, new TextEncoder().encode("over the link"))).to.equal(true);
      await within(echoed, 5000, "the echo across the link");

      const removed = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed")));
      ip("-n", NS, "link", "set", NS_IF, "down");
      const cut = Date.now();
      const e = await within(removed, 10_000, "the dead link to be detected");
      const took = Date.now() - cut;
      expect(e.type === "removed" && e.reason.kind === "error" && e.reason.error).to.be.instanceOf(PongTimeoutError);
      // nothing arrives after the cut: ping at most pingInterval later, then pongTimeout
      expect(took, "ms from the cut to the removal").to.be.at.most(PING + PING / 2 + 250);
    } finally {
      await sw.stop();
    }
  });
});
