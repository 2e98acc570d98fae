/**
 * `npm run bench [-- --quick] [-- --only name,…]`: every case in bench/cases, each against
 * baselines measured in the same run; a table, and bench/results/latest.json.
 */
import { parseArgs } from "node:util";
import { aead } from "./cases/aead.js";
import { bulk } from "./cases/bulk.js";
import { handshakes } from "./cases/handshakes.js";
import { manyPeers } from "./cases/many-peers.js";
import { priority } from "./cases/priority.js";
import { priorityLatency } from "./cases/priority-latency.js";
import { small } from "./cases/small.js";
import type { BenchCase, Figure } from "./measure.js";
import { machine, table, writeResults } from "./report.js";
import { traceTurns } from "./turn-trace.js";

traceTurns("bench");

const CASES: readonly BenchCase[] = [bulk, aead, small, priority, priorityLatency, handshakes, manyPeers];

const { values } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" }, repeat: { type: "string" } } });
const quick = values.quick === true;
const repeat = Number(values.repeat ?? (quick ? 1 : 3));
const only = values.only?.split(",");
const chosen = CASES.filter((c) => only === undefined || only.includes(c.name));
const m = machine();
console.log(`rx-mconn bench${quick ? " (quick)" : ""}: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${repeat} repetition(s)`);
const figures: Figure[] = [];
for (const c of chosen) {
  const started = performance.now();
  figures.push(...(await c.run({ quick, repeat, progress: (line) => console.log(`  … ${line}`) })));
  console.log(`  ${c.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`\n${table(figures)}\n`);
console.log(`written: ${(await writeResults(figures, { quick, repeat, allCases: chosen.length === CASES.length })).join(", ")}`);
process.exit(0);
