/**
 * Bulk throughput: one channel, 1 MiB messages, the far end in its own process. Baselines: a
 * raw socket writing the same bytes (the physical limit); the same bytes on one stream of
 * libp2p's yamux muxer (`@chainsafe/libp2p-yamux`, its default configuration), the multiplexer
 * the plain MConnection is held against; for the encrypted run, the ChaCha20-Poly1305 bound
 * (sealing and opening frames in a tight loop, libsodium); and, where Go is installed, two
 * CometBFT MConnections doing the same (bench/go-mconn; with `--quick`, only once it is built).
 * Ours, the raw socket and yamux send 64 MiB (16 with `--quick`) of warm-up first (the AEAD bound,
 * in a process of its own, seals and opens as much untimed), and the far end then times the
 * same duration for each, 2 s (0.5 s with `--quick`), on its own clock, the sender sending
 * until the far end has its figure (a fresh far end compiles its hot path during
 * its first hundred MiB or so: 30–50 % more CPU per MiB over the first 256 MiB than over 1 GiB;
 * and a fixed count of bytes gave the fastest variant, the raw socket, a window of a tenth of a
 * second, too short for a steady figure on a shared host); the 64 KiB-message variant shows the
 * message size's own effect. Go, compiled ahead of time, is timed from the start by its own
 * program, over 256 MiB (64 with `--quick`).
 */
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { MConnectionConfig } from "../../src/mconn/config.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { dial, interleave, mbps, paired, summarize, type BenchCase, type Figure, type Variant } from "../measure.js";
import { jsonLines } from "../json-lines.js";
import { benchChild, remoteWith, stopChild, type Remote } from "../remote.js";
import { yamuxOverSocket } from "../yamux.js";
import { goMconnBuilt, goMconnBulk } from "./go-mconn.js";

const MiB = 1 << 20;

/** What a sink reports once it has its bytes: those after the warm-up, and how long they took. */
interface SinkDone {
  readonly steadyBytes: number;
  readonly steadyMs: number;
}

/** How long each variant is timed, after its warm-up. */
interface Window {
  /** Bytes sent before the far end starts its clock. */
  readonly warm: number;
  /** How long the far end times what arrives after the warm-up. */
  readonly steadyMs: number;
}

/**
 * A far end timing `window.steadyMs` on its own clock from the moment the first `window.warm`
 * bytes have arrived (peer.ts's `sinkCount`), for every variant alike.
 */
function sinkFor(role: string, window: Window, ...args: string[]): Promise<Remote> {
  return remoteWith({ env: { BENCH_WARM_BYTES: String(window.warm), BENCH_STEADY_MS: String(window.steadyMs) } }, role, "0", ...args);
}

/** The far end's report, and a flag the sender reads to stop sending once it has come. */
function awaitDone(sink: Remote): { readonly done: Promise<SinkDone>; readonly over: () => boolean } {
  let over = false;
  const done = sink.next<SinkDone>("done").then((d) => {
    over = true;
    return d;
  });
  return { done, over: () => over };
}

const steadyRate = (d: SinkDone) => mbps(d.steadyBytes, d.steadyMs);

async function raw(window: Window): Promise<number> {
  const sink = await sinkFor("raw-sink", window);
  try {
    const socket = await dial(sink.port);
    const chunk = Buffer.alloc(MiB, 7);
    const { done, over } = awaitDone(sink);
    while (!over()) if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
    const d = await done;
    socket.destroy();
    return steadyRate(d);
  } finally {
    await sink.stop();
  }
}

async function mconn(window: Window, secret: boolean, config: Partial<MConnectionConfig> = {}, size = MiB): Promise<number> {
  const sink = await sinkFor("mconn-sink", window, secret ? "secret" : "plain");
  try {
    const socket = await dial(sink.port);
    const duplex = secret ? (await secretHandshake(socketDuplex(socket), generateNodeKey())).duplex : socketDuplex(socket);
    const conn = new MConnection(duplex, { channels: [{ id: 1, sendQueueCapacity: 4 }], config: { sendRate: 0, recvRate: 0, ...config } });
    conn.start();
    const message = new Uint8Array(size).fill(7);
    const { done, over } = awaitDone(sink);
    while (!over()) if (!(await conn.send(1, message))) throw new Error("send failed");
    const d = await done;
    conn.abort(new (await import("../../src/errors.js")).TransportError("bench over"));
    return steadyRate(d);
  } finally {
    await sink.stop();
  }
}

/**
 * 1 MiB chunks on one yamux stream until the far end has its figure. The stream's sink pulls the
 * next chunk only once the previous one is framed within the send window, which is the stream's
 * backpressure.
 */
async function yamux(window: Window): Promise<number> {
  const sink = await sinkFor("yamux-sink", window);
  try {
    const socket = await dial(sink.port);
    const muxer = yamuxOverSocket(socket, "outbound");
    const stream = await muxer.newStream();
    const chunk = new Uint8Array(MiB).fill(7);
    const { done, over } = awaitDone(sink);
    await stream.sink(
      (function* () {
        while (!over()) yield chunk;
      })(),
    );
    const d = await done;
    muxer.abort(new Error("bench over"));
    socket.destroy();
    return steadyRate(d);
  } finally {
    await sink.stop();
  }
}

/**
 * The AEAD bound, measured in a fresh process of its own (bench/aead-bound.ts), as each end of
 * a connection runs in its own: in the bench's process, whose heap the other variants have
 * grown, the same loop ran up to a third slower.
 */
async function aeadBound(total: number, warm: number): Promise<{ seal: number; open: number }> {
  const child = benchChild("./aead-bound.ts", [String(total), String(warm)]);
  try {
    return await jsonLines(child, "aead bound")<{ seal: number; open: number }>("seal");
  } finally {
    await stopChild(child);
  }
}

/** A throughput figure of ours against a baseline measured in the same run, ratio per repetition, with its target ratio. */
function against(metric: string, ours: readonly number[], name: string, base: readonly number[], target?: { text: string; least: number }): Figure {
  return paired({ case: "bulk", metric, unit: "MB/s" }, ours, { name, values: base }, target === undefined ? undefined : { text: target.text, holds: (r) => r >= target.least });
}

/** CometBFT's MConnection (v0.38.26), plain and over SecretConnection, flush throttle 100 ms (a node's default) and 1 ms. */
function goVariants(total: number): Variant<number>[] {
  return [false, true].flatMap((secret) =>
    [100, 1].map((flushThrottleMs) => ({
      key: `go ${secret ? "encrypted" : "plain"} ${flushThrottleMs}`,
      label: `Go MConnection ${secret ? "encrypted" : "plain"}, flush throttle ${flushThrottleMs} ms`,
      run: async () => {
        const r = await goMconnBulk(total, { flushThrottleMs, secret, progress: () => undefined });
        return "skipped" in r ? r : r.mbps;
      },
    })),
  );
}

export const bulk: BenchCase = {
  name: "bulk",
  async run({ quick, repeat: n, progress }) {
    const total = (quick ? 64 : 256) * MiB;
    const window: Window = { warm: (quick ? 16 : 64) * MiB, steadyMs: quick ? 500 : 2000 };
    const variants: Variant<number>[] = [
      { key: "raw", label: "raw socket", run: () => raw(window) },
      { key: "plain", label: "MConnection plain", run: () => mconn(window, false) },
      { key: "unpaced", label: "MConnection plain, pacing off", run: () => mconn(window, false, { pacingTargetDelay: 0 }) },
      { key: "plain64k", label: "MConnection plain, 64 KiB messages", run: () => mconn(window, false, {}, 64 * 1024) },
      { key: "yamux", label: "yamux (@chainsafe/libp2p-yamux), one stream", run: () => yamux(window) },
      { key: "encrypted", label: "MConnection over SecretConnection", run: () => mconn(window, true) },
      {
        key: "aead",
        label: "ChaCha20-Poly1305 bound (libsodium)",
        // The sender seals while the receiver opens, each on its own core: the slower of the two bounds.
        run: async () => {
          const { seal, open } = await aeadBound(Math.min(total, 64 * MiB), window.warm);
          return Math.min(seal, open);
        },
      },
      ...(quick && !goMconnBuilt() ? [] : goVariants(total)),
    ];
    progress(`bulk: each run timed by the far end for ${window.steadyMs / 1000} s after ${window.warm / MiB} MiB of warm-up (Go: ${total / MiB} MiB from the start), ${variants.map((v) => v.label).join("; ")}: interleaved, ${n} repetition(s)`);
    const results = await interleave(n, variants, (line) => progress(`bulk: ${line}`));
    const all = (key: string) => results.get(key) ?? [];
    const m = (key: string) => summarize([...all(key)]);
    const figures: Figure[] = [
      { case: "bulk", metric: "raw socket", unit: "MB/s", ...m("raw") },
      against("MConnection plain", all("plain"), "raw socket", all("raw"), { text: "≥ 0.80 × raw", least: 0.8 }),
      against("MConnection plain vs pacing off", all("plain"), "pacing off", all("unpaced"), { text: "≥ 0.95 × pacing off (pacing costs ≤ 5 %)", least: 0.95 }),
      against("MConnection plain vs 64 KiB messages", all("plain"), "64 KiB messages", all("plain64k")),
      { case: "bulk", metric: "yamux (@chainsafe/libp2p-yamux) plain", unit: "MB/s", ...m("yamux") },
      against("MConnection plain vs yamux", all("plain"), "yamux", all("yamux"), { text: "≥ 1.5 × yamux", least: 1.5 }),
      { case: "bulk", metric: "AEAD bound: min(seal, open), 1 KiB frames", unit: "MB/s", ...m("aead") },
      against("MConnection encrypted", all("encrypted"), "AEAD bound", all("aead"), { text: "≥ 0.80 × AEAD bound", least: 0.8 }),
    ];
    for (const v of goVariants(0).filter((g) => results.has(g.key))) figures.push({ case: "bulk", metric: v.label, unit: "MB/s", ...m(v.key) });
    if (results.has("go plain 100")) figures.push(against("MConnection plain vs Go MConnection", all("plain"), "Go MConnection (100 ms)", all("go plain 100")));
    if (results.has("go encrypted 100"))
      figures.push(against("MConnection encrypted vs Go MConnection encrypted", all("encrypted"), "Go MConnection over SecretConnection (100 ms)", all("go encrypted 100"), { text: "≥ 1.2 × Go", least: 1.2 }));
    return figures;
  },
};
