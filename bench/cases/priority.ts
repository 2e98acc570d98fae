/**
 * Priority accuracy: three channels of priorities 1, 2 and 5 saturated at once; the share of
 * bytes each delivers against its priority share.
 */
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { dial, repeat, type BenchCase, type Figure } from "../measure.js";
import { remote } from "../remote.js";

const CHANNELS = [
  { id: 1, priority: 1 },
  { id: 2, priority: 2 },
  { id: 3, priority: 5 },
];

async function shares(total: number): Promise<Record<number, number>> {
  const sink = await remote("mconn-sink", String(total), "plain", CHANNELS.map((c) => `${c.id}:${c.priority}`).join(","));
  try {
    const conn = new MConnection(socketDuplex(await dial(sink.port)), {
      channels: CHANNELS.map((c) => ({ ...c, sendQueueCapacity: 4 })),
      config: { sendRate: 0, recvRate: 0 },
    });
    conn.start();
    const message = new Uint8Array(64 * 1024).fill(1);
    const done = sink.next<{ perChannel: Record<number, number> }>("done");
    let finished = false;
    void done.then(() => (finished = true));
    await Promise.all(CHANNELS.map(async (c) => {
      while (!finished) if (!(await conn.send(c.id, message))) break;
    }));
    const { perChannel } = await done;
    conn.abort(new TransportError("bench over"));
    const sum = Object.values(perChannel).reduce((a, b) => a + b, 0);
    return Object.fromEntries(CHANNELS.map((c) => [c.id, (perChannel[c.id] ?? 0) / sum]));
  } finally {
    await sink.stop();
  }
}

export const priority: BenchCase = {
  name: "priority",
  async run({ quick, repeat: n, progress }) {
    const total = (quick ? 64 : 256) << 20;
    progress(`priority: channels 1/2/5 saturated, ${total >> 20} MiB`);
    const runs: Record<number, number>[] = [];
    await repeat(n, async () => {
      runs.push(await shares(total));
      return 0;
    });
    const sum = CHANNELS.reduce((s, c) => s + c.priority, 0);
    return CHANNELS.map((c): Figure => {
      const observed = runs.map((r) => r[c.id]);
      const sorted = [...observed].sort((a, b) => a - b);
      const value = sorted[Math.floor(sorted.length / 2)];
      const want = c.priority / sum;
      const worst = Math.max(...observed.map((o) => Math.abs(o - want) / want));
      return {
        case: "priority",
        metric: `share of channel ${c.id} (priority ${c.priority})`,
        unit: "%",
        value: value * 100,
        spread: [sorted[0] * 100, sorted[sorted.length - 1] * 100],
        baseline: { name: "priority share", value: want * 100 },
        ratio: value / want,
        target: { text: "within ±3 % of its priority share", met: worst <= 0.03 },
      };
    });
  },
};
