/**
 * Bulk throughput: one channel, 1 MiB messages, the far end in its own process. Baselines: a
 * raw socket writing the same bytes (the physical limit); for the encrypted run, the
 * ChaCha20-Poly1305 bound (sealing and opening frames in a tight loop, libsodium).
 */
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { FRAME_DATA_MAX, FrameOpener, FrameSealer } from "../../src/secret/frame-cipher.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { dial, mbps, repeat, type BenchCase, type Figure } from "../measure.js";
import { remote } from "../remote.js";

const MiB = 1 << 20;

async function raw(total: number): Promise<number> {
  const sink = await remote("raw-sink", String(total));
  try {
    const socket = await dial(sink.port);
    const chunk = Buffer.alloc(MiB, 7);
    const start = performance.now();
    const done = sink.next("done");
    for (let sent = 0; sent < total; sent += MiB) if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
    await done;
    const ms = performance.now() - start;
    socket.destroy();
    return mbps(total, ms);
  } finally {
    sink.stop();
  }
}

async function mconn(total: number, secret: boolean): Promise<number> {
  const sink = await remote("mconn-sink", String(total), secret ? "secret" : "plain");
  try {
    const socket = await dial(sink.port);
    const duplex = secret ? (await secretHandshake(socketDuplex(socket), generateNodeKey())).duplex : socketDuplex(socket);
    const conn = new MConnection(duplex, { channels: [{ id: 1, sendQueueCapacity: 4 }], config: { sendRate: 0, recvRate: 0 } });
    conn.start();
    const message = new Uint8Array(MiB).fill(7);
    const start = performance.now();
    const done = sink.next("done");
    for (let sent = 0; sent < total; sent += MiB) if (!(await conn.send(1, message))) throw new Error("send failed");
    await done;
    const ms = performance.now() - start;
    conn.abort(new (await import("../../src/errors.js")).TransportError("bench over"));
    return mbps(total, ms);
  } finally {
    sink.stop();
  }
}

/** Seals, then opens, `total` bytes as 1024-byte frames, 64 KiB per call, as a SecretConnection does. */
function aead(total: number): { seal: number; open: number } {
  const key = new Uint8Array(32).fill(1);
  const sealer = new FrameSealer(key);
  const opener = new FrameOpener(key);
  const block = new Uint8Array(64 * FRAME_DATA_MAX).fill(7);
  const sealed: Buffer[] = [];
  let t = performance.now();
  for (let done = 0; done < total; done += block.length) sealed.push(sealer.seal(block));
  const seal = mbps(total, performance.now() - t);
  t = performance.now();
  for (const frame of sealed) opener.open(frame);
  const open = mbps(total, performance.now() - t);
  return { seal, open };
}

export const bulk: BenchCase = {
  name: "bulk",
  async run({ quick, repeat: n, progress }) {
    const total = (quick ? 64 : 256) * MiB;
    progress(`bulk: raw socket, ${total / MiB} MiB`);
    const r = await repeat(n, () => raw(total));
    progress(`bulk: MConnection plain`);
    const p = await repeat(n, () => mconn(total, false));
    progress(`bulk: MConnection over SecretConnection`);
    const s = await repeat(n, () => mconn(total, true));
    progress(`bulk: ChaCha20-Poly1305 bound (libsodium)`);
    // The sender seals while the receiver opens, each on its own core: the slower of the two bounds.
    const seal = await repeat(n, async () => {
      const { seal: sealRate, open } = aead(Math.min(total, 64 * MiB));
      return Math.min(sealRate, open);
    });
    const bound = seal.value;
    const figures: Figure[] = [
      { case: "bulk", metric: "raw socket", unit: "MB/s", value: r.value, spread: r.spread },
      {
        case: "bulk",
        metric: "MConnection plain",
        unit: "MB/s",
        value: p.value,
        spread: p.spread,
        baseline: { name: "raw socket", value: r.value },
        ratio: p.value / r.value,
        target: { text: "≥ 0.60 × raw", met: p.value / r.value >= 0.6 },
      },
      { case: "bulk", metric: "AEAD bound: min(seal, open), 1 KiB frames", unit: "MB/s", value: seal.value, spread: seal.spread },
      {
        case: "bulk",
        metric: "MConnection encrypted",
        unit: "MB/s",
        value: s.value,
        spread: s.spread,
        baseline: { name: "AEAD bound", value: bound },
        ratio: s.value / bound,
        target: { text: "≥ 0.80 × AEAD bound", met: s.value / bound >= 0.8 },
      },
    ];
    return figures;
  },
};
