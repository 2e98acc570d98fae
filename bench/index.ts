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
import { loadNow, measureLoad, QUIET_LOAD, QUIET_OTHER_CORES, verdict, type CaseLoad } from "./machine-state.js";
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
const loadBefore = loadNow();
console.log(`rx-mconn bench${quick ? " (quick)" : ""}: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${repeat} repetition(s)`);
console.log(`  load average before the run: ${loadBefore.map((x) => x.toFixed(2)).join(" ")} (quiet: 1-minute < ${QUIET_LOAD}; other processes < ${QUIET_OTHER_CORES} cores during each case)`);
const figures: Figure[] = [];
const loads: CaseLoad[] = [];
for (const c of chosen) {
  const started = performance.now();
  const load = measureLoad();
  figures.push(...(await c.run({ quick, repeat, progress: (line) => console.log(`  … ${line}`) })));
  const l = load.stop(c.name);
  loads.push(l);
  const cores = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(2));
  console.log(`  ${c.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s; cores taken by the bench ${cores(l.ownCores)}, by other processes ${cores(l.otherCores)}`);
}
const raw = figures.find((f) => f.case === "bulk" && f.metric === "raw socket");
const state = verdict(loadBefore, loads, raw?.value);
console.log(`\n${table(figures, state)}\n`);
console.log(
  state.busy
    ? `machine: BUSY (${state.why}); ratios are printed, targets are not judged`
    : `machine: quiet (load ${loadBefore[0]?.toFixed(2)} before the run; other processes under ${QUIET_OTHER_CORES} cores in every case)${raw === undefined ? "" : `; raw socket ${raw.value.toFixed(0)} MB/s`}`,
);
console.log(`written: ${(await writeResults(figures, state, { quick, repeat, allCases: chosen.length === CASES.length })).join(", ")}`);
process.exit(0);
