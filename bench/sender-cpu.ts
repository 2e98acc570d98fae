/**
 * The sender's CPU per message on one MConnection channel: `count` messages of `size` bytes sent
 * to a receiving MConnection in another process (the bench's `mconn-sink`), the sending process's
 * user + system time divided by the count. CPU time, unlike a rate, is barely moved by other
 * processes on the machine, so two checkouts can be compared on a machine that is not quiet:
 * run this in each, alternating, several times.
 *
 * `npx tsx bench/sender-cpu.ts [size=100] [count=300000]` prints one JSON line.
 * @module
 */
import { socketDuplex } from "../src/duplex/socket-duplex.js";
import { MConnection } from "../src/mconn/mconnection.js";
import { dial } from "./measure.js";
import { remote } from "./remote.js";

const size = Number(process.argv[2] ?? 100);
const count = Number(process.argv[3] ?? 300_000);
const sink = await remote("mconn-sink", String(count * size), "plain");
const conn = new MConnection(socketDuplex(await dial(sink.port)), { channels: [{ id: 1, sendQueueCapacity: 1000 }], config: { sendRate: 0, recvRate: 0 } });
conn.start();
const message = new Uint8Array(size).fill(3);
const done = sink.next("done");
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < count; i++) if (!conn.trySend(1, message) && !(await conn.send(1, message))) throw new Error("send failed");
await done;
const cpu = process.cpuUsage(cpu0);
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ size, count, cpuNsPerMessage: Math.round(((cpu.user + cpu.system) * 1000) / count), messagesPerSecond: Math.round(count / seconds) }));
await sink.stop();
process.exit(0);
