/**
 * With `BENCH_TRACE_TURNS=1` in the environment, every bench process (the bench itself and each
 * far end) prints to stderr, once a second: its CPU use, its garbage collections by kind (count,
 * total and longest pause) and every event-loop turn that took over 8 ms, as `start+length` in
 * ms since the process began. Off by default: it adds a 1 ms interval timer of its own. It is how
 * docs/benchmarks.md tells a stalled process from a full queue in the priority-latency case.
 */
import { PerformanceObserver, performance, type PerformanceEntry } from "node:perf_hooks";

/** A turn longer than this is listed. */
const LONG_TURN_MS = 8;

/** V8's garbage collection kinds, as `perf_hooks` numbers them. */
const GC_KIND: Record<number, string> = { 1: "scavenge", 2: "minor-ms", 4: "mark-compact", 8: "incremental", 16: "weak-callbacks" };

/** Starts the trace in this process when `BENCH_TRACE_TURNS` is set; `name` labels its lines. */
export function traceTurns(name: string): void {
  if (process.env.BENCH_TRACE_TURNS === undefined || process.env.BENCH_TRACE_TURNS === "") return;
  const t0 = performance.now();
  let gc = new Map<string, { count: number; total: number; longest: number }>();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = GC_KIND[e.detail?.kind ?? 0] ?? String(e.detail?.kind);
      const g = gc.get(kind) ?? { count: 0, total: 0, longest: 0 };
      gc.set(kind, { count: g.count + 1, total: g.total + e.duration, longest: Math.max(g.longest, e.duration) });
    }
  }).observe({ entryTypes: ["gc"] });
  const long: string[] = [];
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > LONG_TURN_MS) long.push(`${(last - t0).toFixed(0)}+${(now - last).toFixed(1)}`);
    last = now;
  }, 1).unref();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const gcs = [...gc].map(([k, g]) => `${k} ${g.count}× ${g.total.toFixed(0)} ms (longest ${g.longest.toFixed(1)})`).join(", ");
    process.stderr.write(`[${name}] cpu ${((used.user + used.system) / 1e4).toFixed(0)} %; gc: ${gcs || "none"}; turns > ${LONG_TURN_MS} ms: ${long.splice(0).join(" ") || "none"}\n`);
    gc = new Map();
  }, 1000).unref();
}
