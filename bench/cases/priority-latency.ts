/**
 * Priority latency: channels 1 and 4 (priorities 1 and 4) saturate the connection with 64 KiB
 * messages while channel 5 (priority 5) sends a 64-byte probe every 10 ms
 * (bench/latency-probe.ts); the probes' one-way latency, p50 and p99, plain and encrypted, each
 * end in its own process. In the same run, interleaved: the same probes on an idle connection;
 * the workload with the connection's pacing off (its bulk throughput is what pacing is held
 * against); and two CometBFT MConnections (bench/go-mconn) on the same workload, flush throttle
 * 100 ms (a node's default) and 10 ms, plain and over SecretConnection.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { TransportError } from "../../src/errors.js";
import type { MConnectionConfig } from "../../src/mconn/config.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { BULK_CHANNELS, BULK_MESSAGE, LATENCY_CHANNELS, PROBE_CHANNEL, PROBE_EVERY_MS, WARM_UP_MS, probe, type LatencyReport } from "../latency-probe.js";
import { dial, interleave, mbps, paired, percentile, summarize, type BenchCase, type Figure, type Variant } from "../measure.js";
import { remote } from "../remote.js";
import { goMconnBuilt, goMconnLatency } from "./go-mconn.js";

/** Configuration of the connection with its pacing off: the unpaced bulk baseline. */
const UNPACED: Partial<MConnectionConfig> = { pacingTargetDelay: 0 };
const pacingLabel = "pacing off";

/** One run of ours: `count` probes, with channels 1 and 4 saturated when `bulk`. */
async function ours(count: number, secret: boolean, bulk: boolean, config: Partial<MConnectionConfig> = {}): Promise<LatencyReport> {
  const sink = await remote("latency-sink", String(count), secret ? "secret" : "plain");
  let conn: MConnection | undefined;
  // Ends the bulk senders (set once the run is over).
  const run = { over: false };
  try {
    const raw = socketDuplex(await dial(sink.port));
    const duplex: ByteDuplex = secret ? (await secretHandshake(raw, generateNodeKey())).duplex : raw;
    const c = new MConnection(duplex, { channels: LATENCY_CHANNELS, config: { sendRate: 0, recvRate: 0, ...config } });
    conn = c;
    c.start();
    const report = sink.next<LatencyReport>("latencies");
    if (bulk) {
      const message = new Uint8Array(BULK_MESSAGE).fill(1);
      for (const id of BULK_CHANNELS)
        void (async () => {
          while (!run.over) if (!(await c.send(id, message))) break;
        })();
    }
    await sleep(WARM_UP_MS);
    // Every probe due by now leaves now, stamped with the time it was due.
    const start = process.hrtime.bigint();
    const every = BigInt(PROBE_EVERY_MS * 1e6);
    let next = 0;
    const tick = () => {
      const now = process.hrtime.bigint();
      for (; next < count && start + BigInt(next) * every <= now; next++) {
        const p = probe(next, start + BigInt(next) * every);
        if (!c.trySend(PROBE_CHANNEL, p)) void c.send(PROBE_CHANNEL, p);
      }
      if (next < count) timer = setTimeout(tick, Number(start + BigInt(next) * every - now) / 1e6);
    };
    let timer = setTimeout(tick, 0);
    let bound: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        report,
        new Promise<never>((_, reject) => (bound = setTimeout(() => reject(new Error("priority-latency: no report from the sink in time")), 30_000 + count * 100))),
      ]);
    } finally {
      clearTimeout(timer);
      clearTimeout(bound);
    }
  } finally {
    run.over = true;
    conn?.abort(new TransportError("bench over"));
    await sink.stop();
  }
}

/** p50 and p99 (µs) and bulk MB/s of one run. */
interface Sample {
  readonly p50: number;
  readonly p99: number;
  /** p99 from the time each probe was handed to the connection (the sender's lateness left out). */
  readonly transit99: number;
  readonly bulk: number;
}

function sample(r: LatencyReport): Sample {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const transit = [...r.transit].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), transit99: percentile(transit, 99), bulk: mbps(r.bulkBytes, r.ms) };
}

/** The variants measured, each once per repetition, interleaved. */
function variants(count: number, quick: boolean): Variant<Sample>[] {
  const withGo = !quick || goMconnBuilt();
  const list: Variant<Sample>[] = [];
  for (const secret of [false, true]) {
    const how = secret ? "encrypted" : "plain";
    list.push({ key: `ours ${how}`, label: `MConnection ${how}`, run: async () => sample(await ours(count, secret, true)) });
    list.push({ key: `ours ${how} idle`, label: `MConnection ${how}, idle connection`, run: async () => sample(await ours(count, secret, false)) });
    list.push({ key: `ours ${how} unpaced`, label: `MConnection ${how}, ${pacingLabel}`, run: async () => sample(await ours(count, secret, true, UNPACED)) });
    if (withGo)
      for (const flushThrottleMs of [100, 10])
        list.push({
          key: `go ${how} ${flushThrottleMs}`,
          label: `Go MConnection ${how}, flush throttle ${flushThrottleMs} ms`,
          run: async () => {
            const r = await goMconnLatency(count, true, { flushThrottleMs, secret, progress: () => undefined });
            return "skipped" in r ? r : sample(r);
          },
        });
  }
  return list;
}

const fig = (metric: string, unit: string, xs: number[], rest: Partial<Figure> = {}): Figure => ({ case: "priority-latency", metric, unit, ...summarize(xs), ...rest });

export const priorityLatency: BenchCase = {
  name: "priority-latency",
  async run({ quick, repeat: n, progress }) {
    const count = quick ? 100 : 500;
    const list = variants(count, quick);
    progress(`priority-latency: ${count} probes per run (${(count * PROBE_EVERY_MS) / 1000} s), ${list.length} variants interleaved, ${n} repetition(s)`);
    const samples = await interleave(n, list, (line) => progress(`priority-latency: ${line}`));
    const of = (key: string, pick: (s: Sample) => number) => (samples.get(key) ?? []).map(pick);
    const median = (key: string, pick: (s: Sample) => number) => summarize(of(key, pick)).value;
    const figures: Figure[] = [];
    for (const how of ["plain", "encrypted"]) {
      const key = `ours ${how}`;
      const go = samples.has(`go ${how} 100`) ? `go ${how} 100` : undefined;
      const head = (metric: string, unit: string) => ({ case: "priority-latency", metric, unit });
      const p99 = median(key, (s) => s.p99);
      const p99Target = { text: "p99 ≤ 10 ms", met: p99 <= 10_000 };
      if (go === undefined) {
        figures.push(fig(`p50, MConnection ${how}`, "µs", of(key, (s) => s.p50)));
        figures.push(fig(`p99, MConnection ${how}`, "µs", of(key, (s) => s.p99), { target: p99Target }));
      } else {
        const goName = "Go MConnection (100 ms)";
        figures.push(paired(head(`p50, MConnection ${how}`, "µs"), of(key, (s) => s.p50), { name: goName, values: of(go, (s) => s.p50) }));
        figures.push({ ...paired(head(`p99, MConnection ${how}`, "µs"), of(key, (s) => s.p99), { name: goName, values: of(go, (s) => s.p99) }), target: p99Target });
      }
      figures.push(fig(`p99 from hand-over, MConnection ${how}`, "µs", of(key, (s) => s.transit99)));
      if (samples.has(`${key} unpaced`)) {
        figures.push(
          paired(head(`bulk during the run, MConnection ${how}`, "MB/s"), of(key, (s) => s.bulk), { name: pacingLabel, values: of(`${key} unpaced`, (s) => s.bulk) }, { text: "≥ 0.80 × unpaced", holds: (r) => r >= 0.8 }),
        );
        figures.push(fig(`p50, MConnection ${how}, ${pacingLabel}`, "µs", of(`${key} unpaced`, (s) => s.p50)));
        figures.push(fig(`p99, MConnection ${how}, ${pacingLabel}`, "µs", of(`${key} unpaced`, (s) => s.p99)));
      } else figures.push(fig(`bulk during the run, MConnection ${how}`, "MB/s", of(key, (s) => s.bulk)));
      figures.push(fig(`p50, MConnection ${how}, idle connection`, "µs", of(`${key} idle`, (s) => s.p50)));
      figures.push(fig(`p99, MConnection ${how}, idle connection`, "µs", of(`${key} idle`, (s) => s.p99)));
      for (const flush of [100, 10]) {
        const g = `go ${how} ${flush}`;
        if (!samples.has(g)) continue;
        figures.push(fig(`p50, Go MConnection ${how}, flush throttle ${flush} ms`, "µs", of(g, (s) => s.p50)));
        figures.push(fig(`p99, Go MConnection ${how}, flush throttle ${flush} ms`, "µs", of(g, (s) => s.p99)));
        figures.push(fig(`p99 from hand-over, Go MConnection ${how}, flush throttle ${flush} ms`, "µs", of(g, (s) => s.transit99)));
        figures.push(fig(`bulk during the run, Go MConnection ${how}, flush throttle ${flush} ms`, "MB/s", of(g, (s) => s.bulk)));
      }
    }
    return figures;
  },
};
