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
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeHeapSnapshot } from "node:v8";
import { dial } from "./measure.js";
import { loadPackage } from "./package-under-test.js";
import { remoteWith } from "./remote.js";

const count = Number(process.argv[2] ?? 1000);
const { MConnection, socketDuplex, TransportError } = await loadPackage();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count of a snapshot's nodes, grouped by constructor (objects) or kind. */
function byConstructor(file: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]];
    const name = s.strings[s.nodes[i + nameAt]];
    const key = type === "object" || type === "native" || type === "closure" ? `${name} (${type})` : `(${type})`;
    const g = groups.get(key) ?? { size: 0, count: 0 };
    g.size += s.nodes[i + sizeAt];
    g.count++;
    groups.set(key, g);
  }
  return groups;
}

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await sleep(100);
  }
  return process.memoryUsage();
}

function snapshot(name: string): Map<string, { size: number; count: number }> {
  const file = writeHeapSnapshot(join(tmpdir(), `idle-heap-${process.pid}-${name}.heapsnapshot`));
  try {
    return byConstructor(file);
  } finally {
    if (process.env.KEEP_SNAPSHOTS === undefined) rmSync(file, { force: true });
    else console.log(`kept ${file}`);
  }
}

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

const rows = [...new Set([...before.keys(), ...after.keys()])]
  .map((key) => {
    const a = after.get(key) ?? { size: 0, count: 0 };
    const b = before.get(key) ?? { size: 0, count: 0 };
    return { key, bytes: (a.size - b.size) / count, objects: (a.count - b.count) / count };
  })
  .filter((r) => Math.abs(r.bytes) >= 8)
  .sort((x, y) => y.bytes - x.bytes);
const per = (k: keyof NodeJS.MemoryUsage) => ((memAfter[k] - memBefore[k]) / count).toFixed(0);
console.log(`${count} idle MConnections; per connection: rss ${per("rss")} B, heapTotal ${per("heapTotal")} B, heapUsed ${per("heapUsed")} B, external ${per("external")} B, arrayBuffers ${per("arrayBuffers")} B`);
console.log(`heap snapshot, self size per connection by constructor (total ${rows.reduce((n, r) => n + r.bytes, 0).toFixed(0)} B):`);
console.log("| constructor | bytes | objects |\n| --- | --- | --- |");
for (const r of rows) console.log(`| ${r.key} | ${r.bytes.toFixed(0)} | ${r.objects.toFixed(1)} |`);
for (const c of conns) c.abort(new TransportError("over"));
far.stop();
process.exit(0);
