/**
 * Heap snapshots grouped by constructor, for the idle-memory benches: `snapshotGroups(name)`
 * writes a V8 heap snapshot to the system's temporary directory, sums the self size and count of
 * its nodes by constructor (objects) or kind (arrays, closures, strings, code), and removes the
 * file (kept with `KEEP_SNAPSHOTS` set); `groupDifference` is what one snapshot holds beyond
 * another, per unit; `settledMemory()` is `process.memoryUsage()` after collections (run with
 * `--expose-gc`).
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeHeapSnapshot } from "node:v8";

/** Self size and count of the nodes of one group. */
export interface Group {
  size: number;
  count: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count of a snapshot's nodes, grouped by constructor (objects) or kind. */
function byConstructor(file: string): Map<string, Group> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map<string, Group>();
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

/** A heap snapshot of this process now, grouped by constructor. */
export function snapshotGroups(name: string): Map<string, Group> {
  const file = writeHeapSnapshot(join(tmpdir(), `idle-heap-${process.pid}-${name}.heapsnapshot`));
  try {
    return byConstructor(file);
  } finally {
    if (process.env.KEEP_SNAPSHOTS === undefined) rmSync(file, { force: true });
    else console.log(`kept ${file}`);
  }
}

/** Prints what `after` holds beyond `before`, per one of `units`, largest first, as a table. */
export function printGroupDifference(before: Map<string, Group>, after: Map<string, Group>, units: number, unitName: string): void {
  const rows = [...new Set([...before.keys(), ...after.keys()])]
    .map((key) => {
      const a = after.get(key) ?? { size: 0, count: 0 };
      const b = before.get(key) ?? { size: 0, count: 0 };
      return { key, bytes: (a.size - b.size) / units, objects: (a.count - b.count) / units };
    })
    .filter((r) => Math.abs(r.bytes) >= 8)
    .sort((x, y) => y.bytes - x.bytes);
  console.log(`heap snapshot, self size per ${unitName} by constructor (total ${rows.reduce((n, r) => n + r.bytes, 0).toFixed(0)} B):`);
  console.log("| constructor | bytes | objects |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.key} | ${r.bytes.toFixed(0)} | ${r.objects.toFixed(1)} |`);
}

/** `process.memoryUsage()` after three collections a little apart. */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(100);
  }
  return process.memoryUsage();
}
