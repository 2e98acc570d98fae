/**
 * What one host over its limits costs the node it floods: the node runs in a process of its
 * own, so its CPU time (from /proc) is its alone; the host opens connections as fast as the
 * node refuses them. Every refusal happens at accept (a reset, before any cryptography), and a
 * peer from another host still gets in. The figures go to docs/security.md.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { hostLimitsDefaults } from "../../src/p2p/admission/host-admission.js";
import { Switch } from "../../src/p2p/switch.js";
import { parseNetAddress } from "../../src/p2p/netaddress.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { host } from "../helpers/hosts.js";
import { within } from "../helpers/tcp.js";

const REFUSALS = 20_000;
const LOOPS = 16;

/** CPU seconds (user + system) the process `pid` has used, from /proc (clock ticks of 10 ms). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15 of stat)
}

describe("the cost of a host over its limits", function () {
  this.timeout(180_000);
  let child: ChildProcess | undefined;
  let peer: Switch | undefined;
  afterEach(async () => {
    await peer?.stop();
    child?.kill();
  });

  it(`${REFUSALS} connections of one host refused at accept: CPU per refusal measured, and another host's peer still gets in`, async () => {
    const seed = randomBytes(32).toString("hex");
    child = spawn(process.execPath, [...process.execArgv, "test/adversarial/fixtures/quiet-node.ts", seed, "127.0.0.1:0", "60000"], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! });
    const address = await within(
      new Promise<string>((resolve) => lines.on("line", (line) => line.includes("listening") && resolve((JSON.parse(line) as { address: string }).address))),
      30_000,
      "the node to listen",
    );
    const target = parseNetAddress(address);
    const pid = child.pid!;

    const from = host(0);
    let opened = 0;
    let accepted = 0; // connections the node let in (the first few, within the host's burst)
    const cpu0 = await cpuSeconds(pid);
    const t0 = process.hrtime.bigint();
    const loop = async () => {
      while (opened < REFUSALS) {
        opened++;
        await new Promise<void>((resolve) => {
          const s = connect({ host: target.host, port: target.port, localAddress: from });
          s.on("error", () => undefined);
          s.on("close", () => resolve());
          // a socket the node keeps (a handshake it started) stays quiet: close it ourselves
          s.setTimeout(2000, () => {
            accepted++;
            s.destroy();
          });
        });
      }
    };
    await Promise.all(Array.from({ length: LOOPS }, loop));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = (await cpuSeconds(pid)) - cpu0;

    // another host's peer still gets in
    const key = generateNodeKey();
    peer = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "test-net", listen: "127.0.0.1:0" });
    peer.addReactor("echo", { channels: [{ id: 0x40, sendQueueCapacity: 100, recvMessageCapacity: 1 << 20 }] });
    await peer.start();
    const dialed = await within(peer.dial(target), 30_000, "a peer from another host").then(() => true, () => false);

    const figures = {
      refusedConnections: opened - accepted,
      acceptedConnections: accepted,
      seconds: +seconds.toFixed(1),
      refusalsPerSecond: Math.round((opened - accepted) / seconds),
      nodeCpuSeconds: +cpu.toFixed(2),
      nodeCpuPercentOfOneCore: Math.round((100 * cpu) / seconds),
      nodeCpuMicrosecondsPerRefusal: Math.round((cpu * 1e6) / (opened - accepted)),
    };
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile("test/adversarial/results/refusal-cost.json", `${JSON.stringify(figures, null, 2)}\n`);
    const rate = hostLimitsDefaults.newConnectionsPerIpPerSecond;
    expect(accepted, "only the host's burst and rate got past accept").to.be.at.most(hostLimitsDefaults.newConnectionsPerIpBurst + Math.ceil(seconds * rate));
    expect(dialed, "a peer from another host was admitted").to.equal(true);
  });
});
