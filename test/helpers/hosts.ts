/**
 * Connections from chosen loopback addresses (127.0.0.2, 127.0.0.3, … are all loopback on
 * Linux), to test limits that apply per remote host.
 */
import { connect, type Socket } from "node:net";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import type { NodeInfo } from "../../src/p2p/node-info.js";
import type { Switch } from "../../src/p2p/switch.js";
import { upgrade } from "../../src/p2p/upgrade.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";

/** The n-th test host: 127.0.0.(n + 2), so host 0 is 127.0.0.2. */
export function host(n: number): string {
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/**
 * A TCP connection to `sw` from `from`; resolves once connected, or once reset by a switch that
 * refused it at accept (the socket is then closed: a refusal can reach us before `connect` does).
 */
export async function socketFrom(sw: Switch, from: string): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port: sw.listenAddress!.port, localAddress: from });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve() : reject(err)));
  });
  socket.on("error", () => undefined);
  return socket;
}

/** The NodeInfo of a test peer `id` at `from`, on the test network, with one channel. */
export function peerNodeInfo(id: string, from: string, channel = 0x40): NodeInfo {
  return {
    protocolVersion: { p2p: 8, block: 11, app: 0 },
    nodeId: id,
    listenAddr: `${from}:1`,
    network: "test-net",
    version: "",
    channels: Uint8Array.of(channel),
    moniker: "peer",
    other: { txIndex: "", rpcAddress: "" },
  };
}

/** A peer from `from` that passes SecretConnection and NodeInfo properly, on channel `channel`. */
export async function peerFrom(sw: Switch, from: string, channel = 0x40): Promise<{ id: string; duplex: ByteDuplex; socket: Socket }> {
  const key = generateNodeKey();
  const socket = await socketFrom(sw, from);
  const info = peerNodeInfo(key.id, from, channel);
  const up = await upgrade(socketDuplex(socket), { authenticate: secretAuthenticator(key), ourInfo: info, expectedId: sw.nodeId, handshakeTimeout: 5000 });
  return { id: key.id, duplex: up.duplex, socket };
}
