/**
 * With `BENCH_TRACE_TURNS=1` in the environment, every bench process (the bench itself and each
 * far end) prints to stderr, once a second: its CPU use, its garbage collections by kind (count,
 * total and longest pause) and every event-loop turn that took over 8 ms, as `start+length` in
 * ms since the process began, with `w` the part of it the main thread spent waiting for a core
 * (Linux's /proc/self/task/<pid>/schedstat: runnable, not running); and per second the main
 * thread's total wait for a core. Off by default: it adds a 1 ms interval timer of its own. It is how
 * docs/benchmarks.md tells a stalled process from a full queue in the priority-latency case.
 */
import { readFileSync } from "node:fs";
import { PerformanceObserver, performance, type PerformanceEntry } from "node:perf_hooks";

/** A turn longer than this is listed. */
const LONG_TURN_MS = 8;

/** V8's garbage collection kinds, as `perf_hooks` numbers them. */
const GC_KIND: Record<number, string> = { 1: "scavenge", 2: "minor-ms", 4: "mark-compact", 8: "incremental", 16: "weak-callbacks" };

/** Nanoseconds the main thread has waited for a core so far (0 where Linux's schedstat is missing). */
function runqueueWaitNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[1]);
  } catch {
    return 0;
  }
}

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
  let lastWait = runqueueWaitNs();
  setInterval(() => {
    const now = performance.now();
    const wait = runqueueWaitNs();
    if (now - last > LONG_TURN_MS) long.push(`${(last - t0).toFixed(0)}+${(now - last).toFixed(1)}(w ${((wait - lastWait) / 1e6).toFixed(1)})`);
    last = now;
    lastWait = wait;
  }, 1).unref();
  let cpu = process.cpuUsage();
  let secondWait = runqueueWaitNs();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const wait = runqueueWaitNs();
    const waited = ((wait - secondWait) / 1e6).toFixed(0);
    secondWait = wait;
    const gcs = [...gc].map(([k, g]) => `${k} ${g.count}× ${g.total.toFixed(0)} ms (longest ${g.longest.toFixed(1)})`).join(", ");
    process.stderr.write(`[${name}] cpu ${((used.user + used.system) / 1e4).toFixed(0)} %; main thread waited ${waited} ms for a core; gc: ${gcs || "none"}; turns > ${LONG_TURN_MS} ms: ${long.splice(0).join(" ") || "none"}\n`);
    gc = new Map();
  }, 1000).unref();
}
