/**
 * What an idle MConnection holds, by constructor: opens `count` idle MConnections (one channel,
 * as the many-peers case does) to a far end in another process, writes a V8 heap snapshot
 * before the first and after the last, and prints, per connection, the self size of the
 * objects each snapshot holds grouped by constructor (or by kind for arrays, closures, strings,
 * code), the difference of the two, and the process's RSS, heap and external memory per
 * connection. Run with `--expose-gc`:
 *
 *     node --expose-gc --import tsx bench/idle-heap.ts 1000
 *
 * Snapshots go to the system's temporary directory and are removed afterwards.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { printGroupDifference, settledMemory as settle, snapshotGroups as snapshot } from "./heap-groups.js";
import { dial } from "./measure.js";
import { loadPackage } from "./package-under-test.js";
import { remoteWith } from "./remote.js";

const count = Number(process.argv[2] ?? 1000);
const { MConnection, socketDuplex, TransportError } = await loadPackage();
const far = await remoteWith({ exposeGc: true, raiseFileLimit: true }, "mconn-idle");
const open = async () => {
  const conn = new MConnection(socketDuplex(await dial(far.port)), { channels: [{ id: 1 }], config: { sendRate: 0, recvRate: 0 } });
  conn.channel(1).messages$.subscribe();
  conn.start();
  return conn;
};
// Warm the code paths once, so that both snapshots hold the code and the difference is state.
(await open()).abort(new TransportError("warm-up over"));
await sleep(200);

const memBefore = await settle();
const before = snapshot("before");
const conns: InstanceType<typeof MConnection>[] = [];
for (let i = 0; i < count; i += 100) conns.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, open))));
await sleep(500);
const memAfter = await settle();
const after = snapshot("after");

const per = (k: keyof NodeJS.MemoryUsage) => ((memAfter[k] - memBefore[k]) / count).toFixed(0);
console.log(`${count} idle MConnections; per connection: rss ${per("rss")} B, heapTotal ${per("heapTotal")} B, heapUsed ${per("heapUsed")} B, external ${per("external")} B, arrayBuffers ${per("arrayBuffers")} B`);
printGroupDifference(before, after, count, "connection");
for (const c of conns) c.abort(new TransportError("over"));
await far.stop();
process.exit(0);
