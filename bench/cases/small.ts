/**
 * Small messages: 64-byte round trips on an idle connection (p50, p99, each the median over
 * runs in which ours and a raw socket echo alternate), and the rate of one-way messages of 100 B
 * and 1 KiB against a raw socket writing the same uvarint frames one `write` each and against
 * one yamux stream (`@chainsafe/libp2p-yamux`) carrying the same messages.
 */
import type { Socket } from "node:net";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { dial, interleave, paired, percentile, summarize, type BenchCase, type Figure, type Variant } from "../measure.js";
import { remote } from "../remote.js";
import { yamuxOverSocket } from "../yamux.js";

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
    close: async () => {
      socket.destroy();
      conn.abort(new TransportError("bench over"));
      await Promise.all([rawEcho.stop(), ourEcho.stop()]);
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
    await e.close();
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

/** `count` raw uvarint-framed messages of `size` bytes, one `write` each. */
async function rawRate(count: number, size: number): Promise<number> {
  const frame = Buffer.concat([encodeUvarint(size), Buffer.alloc(size, 3)]);
  const sink = await remote("raw-sink", String(count * frame.length));
  try {
    const socket = await dial(sink.port);
    const done = sink.next("done");
    const t = performance.now();
    for (let i = 0; i < count; i++) if (!socket.write(frame)) await new Promise((r) => socket.once("drain", r));
    await done;
    const rate = count / ((performance.now() - t) / 1000);
    socket.destroy();
    return rate;
  } finally {
    await sink.stop();
  }
}

/** `count` messages of `size` bytes on one MConnection channel. */
async function mconnRate(count: number, size: number): Promise<number> {
  const sink = await remote("mconn-sink", String(count * size), "plain");
  try {
    const conn = new MConnection(socketDuplex(await dial(sink.port)), { channels: [{ id: 1, sendQueueCapacity: 1000 }], config: unlimited });
    conn.start();
    const msg = new Uint8Array(size).fill(3);
    const done = sink.next("done");
    const t = performance.now();
    for (let i = 0; i < count; i++) if (!conn.trySend(1, msg) && !(await conn.send(1, msg))) throw new Error("send failed");
    await done;
    const rate = count / ((performance.now() - t) / 1000);
    conn.abort(new TransportError("bench over"));
    return rate;
  } finally {
    await sink.stop();
  }
}

/** `count` messages of `size` bytes on one yamux stream, each its own write to the stream. */
async function yamuxRate(count: number, size: number): Promise<number> {
  const sink = await remote("yamux-sink", String(count * size));
  try {
    const socket = await dial(sink.port);
    const muxer = yamuxOverSocket(socket, "outbound");
    const stream = await muxer.newStream();
    const msg = new Uint8Array(size).fill(3);
    const done = sink.next("done");
    const t = performance.now();
    await stream.sink(
      (function* () {
        for (let i = 0; i < count; i++) yield msg;
      })(),
    );
    await done;
    const rate = count / ((performance.now() - t) / 1000);
    muxer.abort(new Error("bench over"));
    socket.destroy();
    return rate;
  } finally {
    await sink.stop();
  }
}

/** p50 and p99 of one interleaved run, in µs. */
interface Trips {
  readonly raw: { p50: number; p99: number };
  readonly ours: { p50: number; p99: number };
}

async function trips(count: number): Promise<Trips> {
  const t = await rtts(count);
  const pick = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: percentile(s, 50) * 1000, p99: percentile(s, 99) * 1000 };
  };
  return { raw: pick(t.raw), ours: pick(t.ours) };
}

export const small: BenchCase = {
  name: "small",
  async run({ quick, repeat: n, progress }) {
    const tripCount = quick ? 500 : 2000;
    progress(`small: ${tripCount} round trips of 64 B each way per run, raw socket echo and MConnection echo interleaved in blocks of 50; ${n} run(s)`);
    const runs = await interleave<Trips>(n, [{ key: "rtt", label: "round trips", run: () => trips(tripCount) }], progress);
    const t = runs.get("rtt")!;
    const sizes = [100, 1024];
    // Messages per run: rates are per second, so yamux (an order of magnitude slower with small
    // messages) gets fewer, to keep each run to a few seconds.
    const counts = (size: number, system: string) => (system === "yamux" ? 20_000 : size === 100 ? 200_000 : 100_000) / (quick ? 4 : 1);
    const variants: Variant<number>[] = sizes.flatMap((size) => [
      { key: `raw ${size}`, label: `raw socket, ${size} B`, run: () => rawRate(counts(size, "raw"), size) },
      { key: `ours ${size}`, label: `MConnection, ${size} B`, run: () => mconnRate(counts(size, "ours"), size) },
      { key: `yamux ${size}`, label: `yamux, ${size} B`, run: () => yamuxRate(counts(size, "yamux"), size) },
    ]);
    progress(`small: one-way messages of ${sizes.join(" and ")} B: raw socket, MConnection, yamux, interleaved, ${n} repetition(s)`);
    const rates = await interleave(n, variants, (line) => progress(`small: ${line}`));
    const all = (key: string) => rates.get(key) ?? [];
    const m = (key: string) => summarize([...all(key)]);
    const rtt = (pick: (x: Trips) => number) => t.map(pick);
    const head = (metric: string, unit: string) => ({ case: "small", metric, unit });
    const figures: Figure[] = [
      { ...head("RTT p50, raw socket echo", "µs"), ...summarize(rtt((x) => x.raw.p50)) },
      paired(head("RTT p50, MConnection", "µs"), rtt((x) => x.ours.p50), { name: "raw socket RTT p50", values: rtt((x) => x.raw.p50) }, { text: "≤ 2 × raw", holds: (r) => r <= 2 }),
      { ...head("RTT p99, raw socket echo", "µs"), ...summarize(rtt((x) => x.raw.p99)) },
      paired(head("RTT p99, MConnection", "µs"), rtt((x) => x.ours.p99), { name: "raw socket RTT p99", values: rtt((x) => x.raw.p99) }, { text: "≤ 1.5 × raw", holds: (r) => r <= 1.5 }),
    ];
    for (const size of sizes) {
      figures.push(
        { ...head(`${size} B one-way, raw socket (one write each)`, "msg/s"), ...m(`raw ${size}`) },
        { ...head(`${size} B one-way, yamux (one stream)`, "msg/s"), ...m(`yamux ${size}`) },
        paired(head(`${size} B one-way, MConnection vs raw socket`, "msg/s"), all(`ours ${size}`), { name: "raw socket", values: all(`raw ${size}`) }),
        paired(
          head(`${size} B one-way, MConnection vs yamux`, "msg/s"),
          all(`ours ${size}`),
          { name: "yamux", values: all(`yamux ${size}`) },
          size === 1024 ? { text: "≥ 3 × yamux", holds: (r) => r >= 3 } : undefined,
        ),
      );
    }
    return figures;
  },
};
