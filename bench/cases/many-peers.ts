/**
 * Many peers: 1,000 MConnections in one process (their far ends in another), idle and then with
 * light traffic (one 100-byte message per connection per second, each echoed): RSS per
 * connection, event-loop delay, CPU.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { dial, type BenchCase } from "../measure.js";
import { remote } from "../remote.js";

const settle = () => new Promise((r) => setTimeout(r, 500));
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export const manyPeers: BenchCase = {
  name: "many-peers",
  async run({ quick, progress }) {
    const count = 1000;
    const far = await remote("mconn-idle");
    const conns: MConnection[] = [];
    try {
      collect();
      await settle();
      const before = process.memoryUsage().rss;
      const farBefore = await far.rss();
      progress(`many-peers: opening ${count} connections`);
      for (let i = 0; i < count; i++) {
        const conn = new MConnection(socketDuplex(await dial(far.port)), { channels: [{ id: 1 }], config: { sendRate: 0, recvRate: 0 } });
        conn.channel(1).messages$.subscribe();
        conn.start();
        conns.push(conn);
      }
      await settle();
      collect();
      await settle();
      const idle = (process.memoryUsage().rss - before) / count;
      const farIdle = ((await far.rss()) - farBefore) / count;

      const seconds = quick ? 3 : 10;
      progress(`many-peers: light traffic on all ${count} for ${seconds} s`);
      const message = new Uint8Array(100).fill(1);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      const timers = conns.map((c, i) => {
        let timer: NodeJS.Timeout | undefined;
        const start = setTimeout(() => {
          timer = setInterval(() => c.trySend(1, message), 1000);
        }, (i * 1000) / count);
        return () => {
          clearTimeout(start);
          clearInterval(timer);
        };
      });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      delay.enable();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      delay.disable();
      const cpu = process.cpuUsage(cpu0);
      const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
      for (const stop of timers) stop();
      const p99 = delay.percentile(99) / 1e6;
      return [
        { case: "many-peers", metric: `RSS per idle connection (${count})`, unit: "KiB", value: idle / 1024, spread: [idle / 1024, idle / 1024], target: { text: "≤ 64 KiB", met: idle / 1024 <= 64 } },
        { case: "many-peers", metric: `RSS per idle connection, far end (${count})`, unit: "KiB", value: farIdle / 1024, spread: [farIdle / 1024, farIdle / 1024] },
        { case: "many-peers", metric: "event-loop delay p99, light traffic", unit: "ms", value: p99, spread: [delay.min / 1e6, delay.max / 1e6], target: { text: "< 20 ms", met: p99 < 20 } },
        { case: "many-peers", metric: "CPU, light traffic (1,000 msg/s out, 1,000 in)", unit: "% of a core", value: cpuShare * 100, spread: [cpuShare * 100, cpuShare * 100] },
      ];
    } finally {
      for (const c of conns) c.abort(new TransportError("bench over"));
      far.stop();
    }
  },
};
