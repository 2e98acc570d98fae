/**
 * Runs `count` SecretConnection + NodeInfo handshakes, `concurrency` at a time, against the
 * `handshake-server` far end (bench/peer.ts, its own process), as the `handshakes` case does, and
 * prints once per round `{ rate }` (handshakes per second) and the CPU time each end spent per
 * handshake (µs, user + system: `near` this process, `far` the far end, read from /proc), which
 * a busy machine disturbs far less than the rate. For profiles of both ends, run it under
 * `node --cpu-prof`: the far end inherits the flag and writes its own profile when stopped.
 * Usage: node --import tsx bench/handshake-run.ts [count=2000] [concurrency=32] [rounds=1]
 */
import { readFileSync } from "node:fs";
import { handshakesWith } from "./cases/handshakes.js";
import { benchChild } from "./remote.js";
import { jsonLines } from "./json-lines.js";

const [count = 2000, concurrency = 32, rounds = 1] = process.argv.slice(2).map(Number);

/** CPU time (µs) of process `pid` so far, from /proc (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const child = benchChild("./peer.ts", ["handshake-server"]);
const server = await jsonLines(child, "bench peer handshake-server")<{ port: number }>("port");
for (let r = 0; r < rounds; r++) {
  const t = performance.now();
  const near = process.cpuUsage();
  const far = cpuOf(child.pid ?? 0);
  await handshakesWith(server.port, count, concurrency);
  const used = process.cpuUsage(near);
  const rate = count / ((performance.now() - t) / 1000);
  console.log(JSON.stringify({ rate, near: (used.user + used.system) / count, far: (cpuOf(child.pid ?? 0) - far) / count }));
}
child.kill();
// Give the far end its moment to write a profile before this process ends.
await new Promise((resolve) => setTimeout(resolve, 500));
