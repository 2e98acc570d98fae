/**
 * `npx tsx bench/simulate.ts --nodes 1000 --minutes 30 [--seeds 5] [--seed 1]`: the wall time
 * and memory `simulateNetwork` takes for a network of that size, with the run's outcome. Not a
 * test (no wall-clock bound is asserted anywhere); one JSON line on stdout, a summary on stderr.
 * Run it with `node --expose-gc` (through tsx: `node --expose-gc --import tsx bench/simulate.ts …`)
 * for the heap measured after a collection. With `BENCH_PACKAGE=dist` it runs the built package
 * (`npm run build` first), as `rx-mconn simulate` does: tsx compiles the sources with esbuild's
 * `keepNames`, which gives every closure a property (more heap, more GC) the built package has not.
 * `node --max-semi-space-size=64` gives V8's young generation room for what a simulation
 * allocates and drops each instant: 1,000 nodes × 30 minutes take about a sixth less time with it
 * (docs/simulation.md, "Scale and speed").
 */
import { parseArgs } from "node:util";
import type * as Testing from "../src/testing/index.js";

const { simulateNetwork } = (
  process.env.BENCH_PACKAGE === "dist" ? await import(new URL("../dist/src/testing/index.js", import.meta.url).href) : await import("../src/testing/index.js")
) as typeof Testing;

const { values } = parseArgs({
  options: { nodes: { type: "string" }, minutes: { type: "string" }, seeds: { type: "string" }, seed: { type: "string" }, sample: { type: "string" } },
});
const nodes = Number(values.nodes ?? 1000);
const minutes = Number(values.minutes ?? 30);
const seeds = Number(values.seeds ?? Math.max(3, Math.round(nodes / 200)));
const seed = Number(values.seed ?? 1);
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const before = process.memoryUsage();
const started = performance.now();
const cpuBefore = process.cpuUsage();
let peakRss = before.rss;
const sim = simulateNetwork({ seed, nodes, seeds, duration: minutes * 60_000, sampleInterval: Number(values.sample ?? 60_000) });
sim.samples$.subscribe((s) => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  const used = process.cpuUsage(cpuBefore);
  const cpuNow = ((used.user + used.system) / 1e6).toFixed(1);
  process.stderr.write(
    `  t=${(s.at / 60_000).toFixed(1)} min (wall ${wall} s, cpu ${cpuNow} s): ${s.up} up, ${s.components} component(s), largest ${s.largestComponent}, ` +
      `${s.atOutboundTarget} at the outbound target, book mean ${s.book.mean}, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`,
  );
});
const report = await sim.run();
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
gc?.();
const after = process.memoryUsage();
const result = {
  nodes,
  seeds,
  minutes,
  seed,
  package: process.env.BENCH_PACKAGE === "dist" ? "dist" : "src",
  wallSeconds: Math.round(wallMs / 100) / 10,
  cpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
  virtualPerWall: Math.round((minutes * 60_000) / wallMs),
  loadAverage: (await import("node:os")).loadavg().map((x) => Math.round(x * 10) / 10),
  peakRssMiB: Math.round(peakRss / 2 ** 20),
  heapAfterMiB: Math.round(after.heapUsed / 2 ** 20),
  heapPerNodeKiB: Math.round((after.heapUsed - before.heapUsed) / nodes / 1024),
  heapMeasuredAfterGc: gc !== undefined,
  actions: report.work.actions,
  instants: report.work.instants,
  connections: report.final.connections,
  components: report.final.components,
  timeToTargetP90: report.timeToTarget.p90,
  allAtTargetAt: report.allAtTargetAt,
  dials: report.final.dials,
  node: process.version,
};
console.log(JSON.stringify(result));
