/**
 * Many peers: 1,000 and then 10,000 idle MConnections, the near ends in a fresh process (so its
 * memory holds nothing else; bench/idle-connections.ts), the far ends in another, both with the
 * open-file limit raised to the machine's hard limit: RSS per connection on each side, as the
 * settled RSS (after a full collection, median of 5 samples) with the connections open minus
 * the same before the first one; the event loop's delay while idle; then, with 1,000, light
 * traffic (one 100-byte message per connection per second, each echoed): event-loop delay p99
 * and CPU. The near end loads the built package (dist/) when it is fresh, else the sources.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchChild, remoteWith, stopChild } from "../remote.js";
import { jsonLines } from "../json-lines.js";
import type { BenchCase, Figure, Summary } from "../measure.js";

interface Report {
  readonly fileLimit: number;
  readonly opened: number;
  readonly openMs: number;
  readonly before: Summary;
  readonly after: Summary;
  readonly idleDelayP99: number;
  readonly traffic?: { delayP99: number; delayMax: number; cpuShare: number };
}

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((t, e) => Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
}

/**
 * True when `dist/` holds a build of the present sources: the near end then loads the package
 * as a user runs it (tsx's `keepNames` makes every named closure of the sources larger).
 */
function builtIsFresh(): boolean {
  const built = join(root, "dist/src/index.js");
  return existsSync(built) && statSync(built).mtimeMs >= newest(join(root, "src"));
}

/** One fresh pair of processes holding `count` connections. */
async function hold(count: number, seconds: number, built: boolean): Promise<{ report: Report; farPerConnection: number }> {
  const far = await remoteWith({ exposeGc: true, raiseFileLimit: true }, "mconn-idle");
  try {
    const farBefore = await far.rss();
    const near = benchChild("./idle-connections.ts", [String(far.port), String(count), String(seconds)], { exposeGc: true, raiseFileLimit: true, env: built ? { BENCH_PACKAGE: "dist" } : {} });
    try {
      const { report } = await jsonLines(near, "many-peers near end")<{ report: Report }>("report");
      const farAfter = [await far.rss(), await far.rss(), await far.rss()].sort((a, b) => a - b)[1];
      return { report, farPerConnection: (farAfter - farBefore) / count };
    } finally {
      await stopChild(near);
    }
  } finally {
    await far.stop();
  }
}

const kib = (bytes: number) => bytes / 1024;

export const manyPeers: BenchCase = {
  name: "many-peers",
  async run({ quick, progress }) {
    const figures: Figure[] = [];
    const built = builtIsFresh();
    const what = built ? "the built package, dist/" : "the sources through tsx";
    if (!built) progress("many-peers: dist/ is missing or older than src/, so the near end runs the sources through tsx (larger closures): run `npm run build` first to measure the package");
    for (const count of quick ? [1000] : [1000, 10_000]) {
      const seconds = count === 1000 ? (quick ? 3 : 10) : 0;
      progress(`many-peers: ${count} idle connections in a fresh process${seconds > 0 ? `, then light traffic for ${seconds} s` : ""}`);
      const { report: r, farPerConnection } = await hold(count, seconds, built);
      const per = (r.after.value - r.before.value) / count;
      // The spread: the samples' extremes, the lowest after against the highest before and back.
      const spread: [number, number] = [kib((r.after.spread[0] - r.before.spread[1]) / count), kib((r.after.spread[1] - r.before.spread[0]) / count)];
      figures.push(
        { case: "many-peers", metric: `RSS per idle connection (${count}; ${what}; file limit ${r.fileLimit}; opened in ${(r.openMs / 1000).toFixed(1)} s)`, unit: "KiB", value: kib(per), spread, ...(count >= 10_000 ? { target: { text: "≤ 32 KiB at 10,000", met: per >= 0 && kib(per) <= 32 } } : {}) },
        { case: "many-peers", metric: `RSS per idle connection, far end (${count})`, unit: "KiB", value: kib(farPerConnection), spread: [kib(farPerConnection), kib(farPerConnection)] },
        { case: "many-peers", metric: `event-loop delay p99, ${count} idle`, unit: "ms", value: r.idleDelayP99, spread: [r.idleDelayP99, r.idleDelayP99] },
      );
      if (r.traffic !== undefined)
        figures.push(
          { case: "many-peers", metric: `event-loop delay p99, light traffic (${count})`, unit: "ms", value: r.traffic.delayP99, spread: [r.traffic.delayP99, r.traffic.delayMax], target: { text: "< 20 ms", met: r.traffic.delayP99 < 20 } },
          { case: "many-peers", metric: `CPU, light traffic (${count} msg/s out, ${count} in)`, unit: "% of a core", value: r.traffic.cpuShare * 100, spread: [r.traffic.cpuShare * 100, r.traffic.cpuShare * 100] },
        );
    }
    return figures;
  },
};
