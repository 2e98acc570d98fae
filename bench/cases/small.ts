/**
 * Small messages: 64-byte round trips on an idle connection (p50, p99) against a raw socket
 * echo, and the rate of 100-byte one-way messages against a raw socket writing the same frames.
 */
import type { Socket } from "node:net";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { dial, percentile, repeat, type BenchCase } from "../measure.js";
import { remote } from "../remote.js";

const unlimited = { sendRate: 0, recvRate: 0 };

/** Round-trip timers over a raw socket echo and an MConnection echo, both open at once. */
async function echoes() {
  const rawEcho = await remote("raw-echo");
  const ourEcho = await remote("mconn-echo", "plain");
  const socket = await dial(rawEcho.port);
  const conn = new MConnection(socketDuplex(await dial(ourEcho.port)), { channels: [{ id: 1, sendQueueCapacity: 10 }], config: unlimited });
  let replied: () => void = () => undefined;
  conn.channel(1).messages$.subscribe(() => replied());
  conn.start();
  const rawMsg = Buffer.alloc(64, 1);
  const ourMsg = new Uint8Array(64).fill(1);
  return {
    raw: async () => {
      const t = performance.now();
      socket.write(rawMsg);
      await readBytes(socket, 64);
      return performance.now() - t;
    },
    ours: async () => {
      const t = performance.now();
      const back = new Promise<void>((resolve) => (replied = resolve));
      conn.trySend(1, ourMsg);
      await back;
      return performance.now() - t;
    },
    close: () => {
      socket.destroy();
      conn.abort(new TransportError("bench over"));
      rawEcho.stop();
      ourEcho.stop();
    },
  };
}

/**
 * `count` round trips each way, interleaved in blocks of 50 so that both see the same machine
 * (CPU frequency, other load), after a warm-up.
 */
async function rtts(count: number): Promise<{ raw: number[]; ours: number[] }> {
  const e = await echoes();
  try {
    for (let i = 0; i < 200; i++) {
      await e.raw();
      await e.ours();
    }
    const raw: number[] = [];
    const ours: number[] = [];
    for (let done = 0; done < count; done += 50)
      for (const [list, trip] of [
        [raw, e.raw],
        [ours, e.ours],
      ] as const)
        for (let i = 0; i < 50; i++) list.push(await trip());
    return { raw, ours };
  } finally {
    e.close();
  }
}

function readBytes(socket: Socket, n: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const on = (c: Buffer) => {
      got += c.length;
      if (got >= n) {
        socket.off("data", on);
        resolve();
      }
    };
    socket.on("data", on);
  });
}

async function rawRate(count: number): Promise<number> {
  const sink = await remote("raw-sink", String(count * 101));
  try {
    const socket = await dial(sink.port);
    const frame = Buffer.concat([encodeUvarint(100), Buffer.alloc(100, 3)]);
    const done = sink.next("done");
    const t = performance.now();
    for (let i = 0; i < count; i++) if (!socket.write(frame)) await new Promise((r) => socket.once("drain", r));
    await done;
    const rate = count / ((performance.now() - t) / 1000);
    socket.destroy();
    return rate;
  } finally {
    sink.stop();
  }
}

async function mconnRate(count: number): Promise<number> {
  const sink = await remote("mconn-sink", String(count * 100), "plain");
  try {
    const conn = new MConnection(socketDuplex(await dial(sink.port)), { channels: [{ id: 1, sendQueueCapacity: 1000 }], config: unlimited });
    conn.start();
    const msg = new Uint8Array(100).fill(3);
    const done = sink.next("done");
    const t = performance.now();
    for (let i = 0; i < count; i++) if (!conn.trySend(1, msg) && !(await conn.send(1, msg))) throw new Error("send failed");
    await done;
    const rate = count / ((performance.now() - t) / 1000);
    conn.abort(new TransportError("bench over"));
    return rate;
  } finally {
    sink.stop();
  }
}

export const small: BenchCase = {
  name: "small",
  async run({ quick, repeat: n, progress }) {
    const trips = quick ? 500 : 3000;
    progress(`small: ${trips} round trips of 64 B each, raw socket echo and MConnection echo, interleaved`);
    const trips$ = await rtts(trips);
    const raw = trips$.raw.sort((a, b) => a - b);
    const ours = trips$.ours.sort((a, b) => a - b);
    const count = quick ? 100_000 : 500_000;
    progress(`small: ${count} one-way messages of 100 B`);
    const rr = await repeat(n, () => rawRate(count));
    const mr = await repeat(n, () => mconnRate(count));
    const rawP50 = percentile(raw, 50);
    const oursP50 = percentile(ours, 50);
    return [
      { case: "small", metric: "RTT p50, raw socket", unit: "µs", value: rawP50 * 1000, spread: [raw[0] * 1000, percentile(raw, 99) * 1000] },
      {
        case: "small",
        metric: "RTT p50, MConnection",
        unit: "µs",
        value: oursP50 * 1000,
        spread: [ours[0] * 1000, percentile(ours, 99) * 1000],
        baseline: { name: "raw socket RTT p50", value: rawP50 * 1000 },
        ratio: oursP50 / rawP50,
        target: { text: "≤ 1.5 × raw", met: oursP50 / rawP50 <= 1.5 },
      },
      { case: "small", metric: "RTT p99, MConnection", unit: "µs", value: percentile(ours, 99) * 1000, spread: [percentile(ours, 99) * 1000, percentile(ours, 99) * 1000], baseline: { name: "raw socket RTT p99", value: percentile(raw, 99) * 1000 }, ratio: percentile(ours, 99) / percentile(raw, 99) },
      { case: "small", metric: "100 B one-way, raw socket (one write each)", unit: "msg/s", value: rr.value, spread: rr.spread },
      { case: "small", metric: "100 B one-way, MConnection", unit: "msg/s", value: mr.value, spread: mr.spread, baseline: { name: "raw socket", value: rr.value }, ratio: mr.value / rr.value },
    ];
  },
};
