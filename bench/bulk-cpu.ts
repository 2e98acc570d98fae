/**
 * Bulk CPU per MiB: the bulk case's plain MConnection run (one channel, `sendQueueCapacity` 4) with
 * the message sizes given, alternating, reporting MB/s (from the first message, on this side),
 * each end's CPU per MiB and its minor page faults per MiB. Environment: `TOTAL` (MiB, 256),
 * `SIZES` (bytes, "1048576,65536"), `REPS` (3), `PACING` (`pacingTargetDelay`; default on),
 * `SECRET=1` (over SecretConnection).
 * Usage: node --import tsx bench/bulk-cpu.ts  (add `--cpu-prof --cpu-prof-dir=DIR` to profile both ends)
 */
import { socketDuplex } from "../src/duplex/socket-duplex.js";
import { secretHandshake } from "../src/secret/handshake.js";
import { generateNodeKey } from "../src/secret/node-key.js";
import { MConnection } from "../src/mconn/mconnection.js";
import { TransportError } from "../src/errors.js";
import { dial, mbps } from "./measure.js";
import { remote } from "./remote.js";

const MiB = 1 << 20;
const total = Number(process.env.TOTAL ?? 256) * MiB;
const sizes = (process.env.SIZES ?? "1048576,65536").split(",").map(Number);
const reps = Number(process.env.REPS ?? 3);
const secret = process.env.SECRET === "1";
const pacing = process.env.PACING === undefined ? undefined : Number(process.env.PACING);

async function run(size: number) {
  const sink = await remote("mconn-sink", String(total), secret ? "secret" : "plain");
  try {
    const socket = await dial(sink.port);
    const conn = new MConnection(secret ? (await secretHandshake(socketDuplex(socket), generateNodeKey())).duplex : socketDuplex(socket), { channels: [{ id: 1, sendQueueCapacity: 4 }], config: { sendRate: 0, recvRate: 0, ...(pacing === undefined ? {} : { pacingTargetDelay: pacing }) } });
    conn.start();
    const message = new Uint8Array(size).fill(7);
    const cpu0 = process.cpuUsage();
    const f0 = process.resourceUsage().minorPageFault;
    const start = performance.now();
    const done = sink.next<{ cpu: number; faults: number }>("done");
    for (let sent = 0; sent < total; sent += size) if (!(await conn.send(1, message))) throw new Error("send failed");
    const d = await done;
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const f = process.resourceUsage().minorPageFault - f0;
    conn.abort(new TransportError("over"));
    const mib = total / MiB;
    return { size, mbps: mbps(total, ms).toFixed(0), sinkCpuPerMiB: (d.cpu / mib).toFixed(0), sinkFaultsPerMiB: (d.faults / mib).toFixed(1), sendCpuPerMiB: ((cpu.user + cpu.system) / mib).toFixed(0), sendFaultsPerMiB: (f / mib).toFixed(1) };
  } finally {
    await sink.stop();
  }
}
for (let i = 0; i < reps; i++) for (const s of sizes) console.log(JSON.stringify(await run(s)));
process.exit(0);
