/**
 * The near end of the many-peers case, in a fresh process of its own (started with
 * `--expose-gc` and the open-file limit raised): opens `count` MConnections to the far end at
 * 127.0.0.1:`port`, measures its RSS per connection against a settled baseline taken before
 * the first one, then (when `seconds` > 0) runs light traffic: one 100-byte message per
 * connection per second, echoed by the far end. Prints one JSON line, `{"report":…}`, and
 * keeps the connections open until its stdin ends (the parent measures the far end meanwhile).
 * Loads rx-mconn as `bench/package-under-test.ts` says (`BENCH_PACKAGE=dist`: the built package).
 * Usage: tsx bench/idle-connections.ts <port> <count> <seconds>
 */
import { setTimeout as sleep } from "node:timers/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { dial, summarize } from "./measure.js";
import { loadPackage } from "./package-under-test.js";

const [port, count, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const { MConnection, socketDuplex, TransportError } = await loadPackage();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

/** RSS after a full collection and a pause, median of `n` samples. */
async function settledRss(n = 5): Promise<{ value: number; spread: [number, number] }> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    gc!();
    await sleep(150);
    xs.push(process.memoryUsage().rss);
  }
  return summarize(xs);
}

// Warm the code paths once (one connection, closed), so that the baseline holds the code the
// connections run and the difference is their state.
const warm = new MConnection(socketDuplex(await dial(port)), { channels: [{ id: 1 }], config: { sendRate: 0, recvRate: 0 } });
warm.channel(1).messages$.subscribe();
warm.start();
await sleep(100);
warm.abort(new TransportError("warm-up over"));
await sleep(200);

const before = await settledRss();
const conns: InstanceType<typeof MConnection>[] = [];
const open = async () => {
  const conn = new MConnection(socketDuplex(await dial(port)), { channels: [{ id: 1 }], config: { sendRate: 0, recvRate: 0 } });
  conn.channel(1).messages$.subscribe();
  conn.start();
  conns.push(conn);
};
const t0 = performance.now();
for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, open));
const openMs = performance.now() - t0;
await sleep(500);
const after = await settledRss();

// Idle: the event loop's delay with every connection's timers armed and nothing sent.
const idleDelay = monitorEventLoopDelay({ resolution: 1 });
idleDelay.enable();
await sleep(2000);
idleDelay.disable();

let traffic: { delayP99: number; delayMax: number; cpuShare: number } | undefined;
if (seconds > 0) {
  const message = new Uint8Array(100).fill(1);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const stops = conns.map((c, i) => {
    let timer: NodeJS.Timeout | undefined;
    const start = setTimeout(() => (timer = setInterval(() => c.trySend(1, message), 1000)), (i * 1000) / count);
    return () => {
      clearTimeout(start);
      clearInterval(timer);
    };
  });
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  delay.enable();
  await sleep(seconds * 1000);
  delay.disable();
  const cpu = process.cpuUsage(cpu0);
  traffic = { delayP99: delay.percentile(99) / 1e6, delayMax: delay.max / 1e6, cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - t) };
  for (const stop of stops) stop();
}
process.stdout.write(
  `${JSON.stringify({
    report: {
      fileLimit: Number(process.env.BENCH_FILE_LIMIT ?? NaN),
      opened: conns.length,
      openMs,
      before,
      after,
      idleDelayP99: idleDelay.percentile(99) / 1e6,
      traffic,
    },
  })}\n`,
);
// The connections stay open until the parent has measured the far end (it then ends this
// process, or closes its stdin).
process.stdin.resume();
process.stdin.on("end", () => {
  for (const c of conns) c.abort(new TransportError("bench over"));
  process.exit(0);
});
