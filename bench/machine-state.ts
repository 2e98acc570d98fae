/**
 * The state of the machine while the benchmark runs: the load average before it starts, and the
 * CPU that processes other than the benchmark's own (itself, its far ends, the Go baselines)
 * take during each case. A ratio between variants of one run is trustworthy only when nothing
 * else competed for the cores; `verdict` says whether a run was quiet by the rule below.
 *
 * Rule: a run is **busy** when the 1-minute load average before it started was 1.0 or more, or
 * when, averaged over any case, other processes took 0.25 of a core or more. Targets of a busy
 * run are printed as "not judged" instead of met or missed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** The load average that makes a run busy before it starts (the guide's "quiet machine"). */
export const QUIET_LOAD = 1.0;
/** Cores taken by other processes, averaged over a case, that make a run busy. */
export const QUIET_OTHER_CORES = 0.25;

/** CPU time (clock ticks) of the machine and of this process tree, at one moment. */
interface CpuSample {
  readonly total: number;
  readonly busy: number;
  readonly ours: number;
}

/** Ticks of `/proc/<pid>/stat`: own user + system time, plus that of waited-for children. */
function processTicks(stat: string): { ppid: number; ticks: number } {
  // The command name (field 2) may hold spaces and parentheses: fields start after its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { ppid: Number(fields[1]), ticks };
}

/** The CPU time of every process descended from this one (itself included). */
function treeTicks(): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const p = processTicks(readFileSync(`/proc/${entry}/stat`, "utf8"));
      parents.set(Number(entry), p.ppid);
      ticks.set(Number(entry), p.ticks);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 0 && hops < 64; p = parents.get(p), hops++)
      if (p === process.pid) {
        sum += t;
        break;
      }
  }
  return sum;
}

function sample(): CpuSample | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const [, ...values] = line.trim().split(/\s+/);
    const n = values.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
    const total = n.reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return { total, busy: total - idle, ours: treeTicks() };
  } catch {
    return undefined; // not Linux: other load cannot be measured
  }
}

/** What other processes took while one case ran. */
export interface CaseLoad {
  readonly case: string;
  /** Cores taken by processes outside the benchmark's tree, averaged over the case; undefined where /proc is missing. */
  readonly otherCores: number | undefined;
  /** Cores taken by the benchmark's own processes, averaged over the case. */
  readonly ownCores: number | undefined;
}

/** Measures the other load over a stretch of the run: `start()`, then `stop(name)` when it ends. */
export function measureLoad(): { stop(caseName: string): CaseLoad } {
  const before = sample();
  return {
    stop(caseName) {
      const after = sample();
      if (before === undefined || after === undefined || after.total <= before.total) return { case: caseName, otherCores: undefined, ownCores: undefined };
      const cores = cpus().length;
      const span = after.total - before.total;
      const own = Math.max(0, after.ours - before.ours);
      const other = Math.max(0, after.busy - before.busy - own);
      return { case: caseName, otherCores: (other / span) * cores, ownCores: (own / span) * cores };
    },
  };
}

/** The machine's state over a run, and whether it was quiet enough to judge targets. */
export interface MachineState {
  /** 1, 5 and 15-minute load averages when the run started. */
  readonly loadBefore: readonly number[];
  readonly cases: readonly CaseLoad[];
  /** The raw socket's bulk MB/s in this run, where the bulk case ran: the machine's speed today. */
  readonly rawSocketMBps?: number;
  readonly busy: boolean;
  /** Why the run counts as busy, in words; empty when quiet. */
  readonly why: string;
}

/** The load averages now. */
export const loadNow = (): number[] => loadavg();

/** Applies the rule of this module's comment. */
export function verdict(loadBefore: readonly number[], cases: readonly CaseLoad[], rawSocketMBps?: number): MachineState {
  const reasons: string[] = [];
  if ((loadBefore[0] ?? 0) >= QUIET_LOAD) reasons.push(`load average ${(loadBefore[0] ?? 0).toFixed(2)} before the run (≥ ${QUIET_LOAD})`);
  for (const c of cases)
    if (c.otherCores !== undefined && c.otherCores >= QUIET_OTHER_CORES) reasons.push(`other processes took ${c.otherCores.toFixed(2)} cores during ${c.case} (≥ ${QUIET_OTHER_CORES})`);
  return { loadBefore, cases, ...(rawSocketMBps === undefined ? {} : { rawSocketMBps }), busy: reasons.length > 0, why: reasons.join("; ") };
}
