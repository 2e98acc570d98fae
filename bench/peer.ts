/**
 * The far end of a benchmark, in its own process (so both ends get a core): listens on
 * 127.0.0.1, prints `{"port":N}`, serves one role, prints `{"done":…}` lines as work completes.
 * Usage: tsx bench/peer.ts <role> [args…]
 */
import { createServer, type Socket } from "node:net";
import { socketDuplex } from "../src/duplex/socket-duplex.js";
import type { ByteDuplex } from "../src/duplex/byte-duplex.js";
import { MConnection } from "../src/mconn/mconnection.js";
import { secretHandshake } from "../src/secret/handshake.js";
import { generateNodeKey } from "../src/secret/node-key.js";
import { secretAuthenticator } from "../src/p2p/secret-authenticator.js";
import { upgrade } from "../src/p2p/upgrade.js";
import { LATENCY_CHANNELS, latencyRecorder } from "./latency-probe.js";
import { traceTurns } from "./turn-trace.js";
import { yamuxOverSocket } from "./yamux.js";

const [role = "", ...args] = process.argv.slice(2);
traceTurns(`peer ${role}`);
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const key = generateNodeKey();
const unlimited = { sendRate: 0, recvRate: 0 };

async function wrap(socket: Socket, secret: boolean): Promise<ByteDuplex> {
  const raw = socketDuplex(socket);
  return secret ? (await secretHandshake(raw, key)).duplex : raw;
}

/**
 * A sink's count of bytes received until `target`, with the steady part timed on this process's
 * clock: from the moment the first `BENCH_WARM_BYTES` (0 by default) have arrived to the last
 * byte, so that a run can leave out its start (a fresh process compiling its hot path, buffers
 * and windows growing) the same way for every variant. The clock starts once the warm-up is in,
 * and only bytes arriving after that count as steady. With `BENCH_STEADY_MS` set, the sink
 * reports once its steady part has lasted that long instead, whatever `target` says: every
 * variant is then timed over the same duration, however fast it is, and its sender sends until
 * the report.
 */
function sinkCount(target: number): (bytes: number) => { done: number; steadyBytes: number; steadyMs: number } | undefined {
  const warm = Number(process.env.BENCH_WARM_BYTES ?? 0);
  const steadyMs = Number(process.env.BENCH_STEADY_MS ?? 0);
  let got = 0;
  let steadyFrom: { at: number; got: number } | undefined;
  let reported = false;
  return (bytes) => {
    if (reported) return undefined;
    got += bytes;
    const now = performance.now();
    if (steadyFrom === undefined && got >= warm) steadyFrom = { at: now, got };
    const ms = steadyFrom === undefined ? 0 : now - steadyFrom.at;
    if (steadyMs > 0 ? steadyFrom === undefined || ms < steadyMs : got < target) return undefined;
    reported = true;
    return { done: got, steadyBytes: got - (steadyFrom?.got ?? got), steadyMs: ms };
  };
}

const roles: Record<string, (socket: Socket) => void | Promise<void>> = {
  /** Counts raw bytes until `args[0]` (timing the steady part, see `sinkCount`). */
  "raw-sink": (socket) => {
    const count = sinkCount(Number(args[0]));
    socket.on("data", (c: Buffer) => {
      const report = count(c.length);
      if (report !== undefined) say(report);
    });
  },
  /**
   * The far end of the priority-latency workload (bench/latency-probe.ts): an MConnection
   * (plain or secret) recording probes; reports once probe `args[0]` − 1 arrived.
   */
  "latency-sink": async (socket) => {
    const recorder = latencyRecorder(Number(args[0]));
    const conn = new MConnection(await wrap(socket, args[1] === "secret"), { channels: LATENCY_CHANNELS, config: unlimited });
    conn.messages$.subscribe((m) => {
      const report = recorder.received(m.channelId, m.message);
      if (report !== undefined) say(report);
    });
    conn.start();
  },
  /** Echoes raw bytes. */
  "raw-echo": (socket) => {
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => socket.write(c));
  },
  /**
   * An MConnection (plain or secret) counting message bytes per channel until `args[0]` (timing
   * the steady part, see `sinkCount`); reports its CPU (µs) and minor page faults from the first
   * message on.
   */
  "mconn-sink": async (socket) => {
    const target = Number(args[0]);
    const secret = args[1] === "secret";
    const channels = (args[2] ?? "1:1").split(",").map((s) => ({ id: Number(s.split(":")[0]), priority: Number(s.split(":")[1]), sendQueueCapacity: 4, recvMessageCapacity: 4 << 20 }));
    const conn = new MConnection(await wrap(socket, secret), { channels, config: unlimited });
    const perChannel: Record<number, number> = {};
    const count = sinkCount(target);
    let cpu0: NodeJS.CpuUsage | undefined;
    let faults0 = 0;
    conn.messages$.subscribe((m) => {
      if (cpu0 === undefined) {
        cpu0 = process.cpuUsage();
        faults0 = process.resourceUsage().minorPageFault;
      }
      perChannel[m.channelId] = (perChannel[m.channelId] ?? 0) + m.message.length;
      const report = count(m.message.length);
      if (report !== undefined) {
        const cpu = process.cpuUsage(cpu0);
        say({ ...report, perChannel, cpu: cpu.user + cpu.system, faults: process.resourceUsage().minorPageFault - faults0 });
      }
    });
    conn.start();
  },
  /** A yamux muxer (inbound) taking one stream and counting its bytes until `args[0]` (timing the steady part, see `sinkCount`). */
  "yamux-sink": (socket) => {
    const count = sinkCount(Number(args[0]));
    yamuxOverSocket(socket, "inbound", {
      maxInboundStreams: 1,
      onIncomingStream: (stream) => {
        void (async () => {
          for await (const chunk of stream.source) {
            const report = count(chunk.byteLength);
            if (report !== undefined) say(report);
          }
        })().catch(() => undefined);
      },
    });
  },
  /** An MConnection (plain or secret) sending every message back on its channel. */
  "mconn-echo": async (socket) => {
    const conn = new MConnection(await wrap(socket, args[0] === "secret"), { channels: [{ id: 1, sendQueueCapacity: 1000 }], config: unlimited });
    conn.channel(1).messages$.subscribe((m) => conn.trySend(1, m));
    conn.start();
  },
  /** Answers SecretConnection + NodeInfo handshakes, then closes. */
  "handshake-server": async (socket) => {
    const info = {
      protocolVersion: { p2p: 8, block: 11, app: 0 },
      nodeId: key.id,
      listenAddr: "127.0.0.1:2",
      network: "bench",
      version: "rx-mconn",
      channels: Uint8Array.of(1),
      moniker: "bench-server",
      other: { txIndex: "off", rpcAddress: "" },
    };
    const conn = await upgrade(socketDuplex(socket), { authenticate: secretAuthenticator(key), ourInfo: info, handshakeTimeout: 10_000 }).catch(() => undefined);
    conn?.duplex.end();
  },
  /** Holds idle MConnections (accepted) and reports its memory on request. */
  "mconn-idle": (socket) => {
    const conn = new MConnection(socketDuplex(socket), { channels: [{ id: 1 }], config: unlimited });
    conn.channel(1).messages$.subscribe((m) => conn.trySend(1, m));
    conn.start();
  },
};

const serve = Object.hasOwn(roles, role) ? roles[role] : undefined;
if (serve === undefined) {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
const server = createServer((socket) => {
  socket.setNoDelay(true);
  void serve(socket);
});
server.listen(0, "127.0.0.1", () => say({ port: (server.address() as { port: number }).port }));
// Asked for its memory: after a garbage collection (when exposed) and a moment to settle.
process.stdin.on("data", () => {
  (globalThis as { gc?: () => void }).gc?.();
  setTimeout(() => say({ rss: process.memoryUsage().rss }), 200);
});
process.stdin.on("end", () => process.exit(0));
// Ended by the bench: exit normally, so that a `--cpu-prof` run writes its profile.
process.on("SIGTERM", () => process.exit(0));
