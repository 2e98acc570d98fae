/**
 * The rx-mconn side of the interop tests: a Switch declaring CometBFT's channels through
 * `rx-mconn/cometbft` (as a full node of the line under test would), and small waiting helpers.
 * With `RECORD_COMETBFT_MESSAGES=1`, the bytes of the first message of each type received on
 * each channel are written to test/vectors/cometbft-messages/<version>.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cometbftChannels, type CometbftChannelDescriptor } from "../../src/cometbft/index.js";
import type { MessageCodec } from "../../src/p2p/reactor.js";
import { Switch } from "../../src/p2p/switch.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { cometLine, cometVersion, type CometNode } from "./cometbft-node.js";

/** What each message type received looked like: `channel → $case → bytes` (first seen). */
export const received = new Map<number, Map<string, Uint8Array>>();

/** An ML-DSA-65 signature's length (a 64-byte one is Ed25519's). */
const MLDSA65_SIGNATURE = 3309;

/**
 * `{ sum: { $case } }` or, for evidence lists, `evidence`; a vote signed, or a block whose last
 * commit holds a signature, with an ML-DSA-65 key is told apart (`vote-mldsa65`, `blockResponse-mldsa65`).
 */
function kindOf(message: unknown): string {
  const sum = (message as { sum?: { $case?: string; value?: { vote?: { signature: Uint8Array }; block?: { lastCommit?: { signatures: { signature: Uint8Array }[] } } } } }).sum;
  if (sum?.$case === "vote" && sum.value?.vote?.signature.length === MLDSA65_SIGNATURE) return "vote-mldsa65";
  if (sum?.$case === "blockResponse" && sum.value?.block?.lastCommit?.signatures.some((c) => c.signature.length === MLDSA65_SIGNATURE) === true) return "blockResponse-mldsa65";
  if (sum?.$case !== undefined) return sum.$case;
  return "evidence" in (message as object) ? "evidenceList" : "empty";
}

/** Wraps a channel's codec so that the bytes of each decoded message type are kept. */
function recording(d: CometbftChannelDescriptor): CometbftChannelDescriptor {
  const codec: MessageCodec<unknown> = {
    encode: (m) => d.codec.encode(m),
    decode: (bytes) => {
      const message = d.codec.decode(bytes);
      const kinds = received.get(d.id) ?? new Map<string, Uint8Array>();
      received.set(d.id, kinds);
      const kind = kindOf(message);
      if (!kinds.has(kind)) kinds.set(kind, bytes.slice());
      return message;
    },
  };
  return { ...d, codec };
}

/** A started switch on 127.0.0.1 with every channel of the line under test. */
export async function cometSwitch(network: string, options: { persistentPeers?: string[] } = {}): Promise<Switch> {
  const key = generateNodeKey();
  const sw = new Switch({
    nodeId: key.id,
    authenticate: secretAuthenticator(key),
    network,
    moniker: "rx-mconn-interop",
    listen: "127.0.0.1:0",
    allowDuplicateIp: true, // the CometBFT nodes all connect from 127.0.0.1
    ...(options.persistentPeers === undefined ? {} : { persistentPeers: options.persistentPeers }),
  });
  const channels = cometbftChannels(cometLine).map(recording);
  const owner = (id: number) => (id >= 0x20 && id <= 0x23 ? "consensus" : channels.find((c) => c.id === id)!.name.split("/")[0]);
  for (const name of new Set(channels.map((c) => owner(c.id)))) sw.addReactor(name, { channels: channels.filter((c) => owner(c.id) === name) });
  await sw.start();
  return sw;
}

/**
 * Adds what was received to test/vectors/cometbft-messages/<version>.json when asked to (kinds
 * already in the file are kept as they are).
 */
export function saveRecording(): void {
  if (process.env["RECORD_COMETBFT_MESSAGES"] !== "1") return;
  const dir = join("test", "vectors", "cometbft-messages");
  const file = join(dir, `${cometVersion}.json`);
  mkdirSync(dir, { recursive: true });
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { messages: Recorded[] }).messages : [];
  const messages = [...before];
  for (const [channel, kinds] of received)
    for (const [type, bytes] of kinds) if (!messages.some((m) => m.channel === channel && m.type === type)) messages.push({ channel, type, hex: Buffer.from(bytes).toString("hex") });
  messages.sort((a, b) => a.channel - b.channel || a.type.localeCompare(b.type));
  const provenance = `received by rx-mconn from CometBFT ${cometVersion} nodes (single validator, kvstore app; the -mldsa65 kinds from a 4-validator network, one validator with an ML-DSA-65 key) on 127.0.0.1 during npm run test:interop, ${new Date().toISOString().slice(0, 10)}`;
  writeFileSync(file, `${JSON.stringify({ version: cometVersion, provenance, messages }, null, 1)}\n`);
}

interface Recorded {
  channel: number;
  type: string;
  hex: string;
}

/** The node's view of its peers (RPC `net_info`). */
export async function nodePeers(node: CometNode): Promise<string[]> {
  const info = await node.rpc<{ peers: { node_info: { id: string } }[] }>("net_info");
  return info.peers.map((p) => p.node_info.id);
}

/** Polls `probe` until `check` passes, within `ms`; the error names `what` and the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, check: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms; last seen ${JSON.stringify(last, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
