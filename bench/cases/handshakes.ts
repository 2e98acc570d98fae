/**
 * Handshakes per second: SecretConnection + NodeInfo exchange over TCP on loopback, the far end
 * in its own process, sequentially and 32 at a time, each timed after a warm-up on its far end.
 */
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { upgrade } from "../../src/p2p/upgrade.js";
import type { NodeInfo } from "../../src/p2p/node-info.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { dial, repeat, type BenchCase } from "../measure.js";
import { remote } from "../remote.js";

const key = generateNodeKey();
const info: NodeInfo = {
  protocolVersion: { p2p: 8, block: 11, app: 0 },
  nodeId: key.id,
  listenAddr: "127.0.0.1:1",
  network: "bench",
  version: "rx-mconn",
  channels: Uint8Array.of(1),
  moniker: "bench",
  other: { txIndex: "off", rpcAddress: "" },
};

const authenticate = secretAuthenticator(key);

/** One handshake with the far end on `port`, then the connection closed. */
async function one(port: number): Promise<void> {
  const socket = await dial(port);
  const conn = await upgrade(socketDuplex(socket), { authenticate, ourInfo: info, handshakeTimeout: 10_000 });
  conn.duplex.destroy();
}

/** `count` handshakes with the far end on `port`, `concurrency` at a time. */
export async function handshakesWith(port: number, count: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await one(port);
    }),
  );
}

/**
 * Handshakes per second over `count` handshakes, `concurrency` at a time, with a far end started
 * for the run, timed after `warmUp` handshakes on it at the same concurrency: a fresh process runs
 * its first few hundred handshakes at half speed or less while V8 compiles the path.
 */
async function rate(count: number, concurrency: number, warmUp: number): Promise<number> {
  const server = await remote("handshake-server");
  try {
    await handshakesWith(server.port, warmUp, concurrency);
    const t = performance.now();
    await handshakesWith(server.port, count, concurrency);
    return count / ((performance.now() - t) / 1000);
  } finally {
    await server.stop();
  }
}

export const handshakes: BenchCase = {
  name: "handshakes",
  async run({ quick, repeat: n, progress }) {
    const count = quick ? 200 : 1000;
    const warmUp = quick ? 200 : 1000;
    progress(`handshakes: ${count} sequential, after ${warmUp} of warm-up`);
    const seq = await repeat(n, () => rate(count, 1, warmUp));
    progress(`handshakes: ${count} with 32 at a time, after ${warmUp} of warm-up`);
    const par = await repeat(n, () => rate(count, 32, warmUp));
    return [
      { case: "handshakes", metric: "SecretConnection + NodeInfo, sequential", unit: "/s", value: seq.value, spread: seq.spread },
      {
        case: "handshakes",
        metric: "SecretConnection + NodeInfo, 32 concurrent",
        unit: "/s",
        value: par.value,
        spread: par.spread,
        target: { text: "≥ 1000 /s", met: par.value >= 1000 },
      },
    ];
  },
};
