/**
 * `npm run soak -- --minutes N [--peers 50]`: a hub and N peers (each its own Switch, over
 * SecretConnection on 127.0.0.1), five channels each, random traffic, random disconnects and
 * reconnects. Checks that every connection lifetime delivers each channel's messages exactly
 * once and in order (sequence numbers, and contents re-derived from them), that a graceful
 * close delivers everything queued, that heap and RSS stay flat after warm-up and the event
 * loop stays responsive. Prints a summary, writes soak/results/latest.json, exits 1 on a failure.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { filter } from "rxjs";
import { measureLoad, QUIET_OTHER_CORES } from "../bench/machine-state.js";
import { TransportError } from "../src/errors.js";
import type { Peer } from "../src/p2p/peer.js";
import { Switch } from "../src/p2p/switch.js";
import { generateNodeKey } from "../src/secret/node-key.js";
import { secretAuthenticator } from "../src/p2p/secret-authenticator.js";

const { values } = parseArgs({ options: { minutes: { type: "string" }, peers: { type: "string" } } });
const minutes = Number(values.minutes ?? 1);
const PEERS = Number(values.peers ?? 50);
const CHANNELS = [0x20, 0x21, 0x22, 0x23, 0x24];
const MAX_SIZE = 8 * 1024;

/** A message: lifetime (4) ‖ channel (1) ‖ seq (4) ‖ body derived from those. */
function message(lifetime: number, channel: number, seq: number): Uint8Array {
  const size = 9 + (((lifetime * 7919 + channel * 104_729 + seq * 1_299_709) >>> 0) % MAX_SIZE);
  const m = Buffer.alloc(size);
  m.writeUInt32LE(lifetime, 0);
  m.writeUInt8(channel, 4);
  m.writeUInt32LE(seq, 5);
  let block = createHash("sha256").update(m.subarray(0, 9)).digest();
  for (let at = 9; at < size; at += 32) {
    block.copy(m, at, 0, Math.min(32, size - at));
    block = createHash("sha256").update(block).digest();
  }
  return m;
}

interface Lifetime {
  id: number;
  /** Messages the client queued, per channel. */
  sent: Map<number, number>;
  /** Messages the hub received, per channel. */
  received: Map<number, number>;
  graceful: boolean | undefined;
  ended: boolean;
}

const failures: string[] = [];
const fail = (why: string) => {
  if (failures.length < 20) failures.push(why);
};

const hubKey = generateNodeKey();
const hub = new Switch({
  nodeId: hubKey.id,
  authenticate: secretAuthenticator(hubKey),
  network: "soak",
  listen: "127.0.0.1:0",
  maxInboundPeers: PEERS + 10,
  mconnection: { sendRate: 0, recvRate: 0 },
  // every peer comes from 127.0.0.1 and reconnects every few seconds: no per-host limits
  allowDuplicateIp: true,
  maxHandshakesPerIp: PEERS,
  newConnectionsPerIpPerSecond: 0,
});
const channelDescriptors = CHANNELS.map((id, i) => ({ id, priority: i + 1, sendQueueCapacity: 50, recvMessageCapacity: 64 * 1024 }));
hub.addReactor("soak", { channels: channelDescriptors });
const lifetimes = new Map<number, Lifetime>();
const lifetimeOfPeer = new WeakMap<Peer, Lifetime>();
let nextLifetime = 1;

for (const ch of CHANNELS)
  hub.channel(ch).messages$.subscribe(({ peer, message: m }) => {
    const b = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
    const lifetime = lifetimes.get(b.readUInt32LE(0));
    const seq = b.readUInt32LE(5);
    if (lifetime === undefined) { fail(`message from unknown lifetime ${b.readUInt32LE(0)}`); return; }
    if (lifetimeOfPeer.get(peer) === undefined) lifetimeOfPeer.set(peer, lifetime);
    if (lifetimeOfPeer.get(peer) !== lifetime) { fail(`lifetime ${lifetime.id} arrived on another connection`); return; }
    const expected = lifetime.received.get(ch) ?? 0;
    if (b.readUInt8(4) !== ch) { fail(`lifetime ${lifetime.id}: a message for channel ${b.readUInt8(4)} arrived on ${ch}`); return; }
    if (seq !== expected) { fail(`lifetime ${lifetime.id} channel ${ch}: seq ${seq}, expected ${expected} (duplicate or gap)`); return; }
    if (!Buffer.from(message(lifetime.id, ch, seq)).equals(b)) { fail(`lifetime ${lifetime.id} channel ${ch} seq ${seq}: contents differ`); return; }
    lifetime.received.set(ch, expected + 1);
  });

await hub.start();
const hubAddress = hub.address!;

/** One client: a switch that keeps dialing the hub; each connection is a new lifetime. */
function client() {
  const key = generateNodeKey();
  const sw = new Switch({
    nodeId: key.id,
    authenticate: secretAuthenticator(key),
    network: "soak",
    listen: "127.0.0.1:0",
    persistentPeers: [hubAddress],
    backoff: { steadyAttempts: 1000, steadyInterval: 200, backoffAttempts: 0, backoffBaseSeconds: 3, jitter: 100 },
    mconnection: { sendRate: 0, recvRate: 0 },
  });
  sw.addReactor("soak", { channels: channelDescriptors });
  let current: { peer: Peer; lifetime: Lifetime } | undefined;
  sw.peers$.pipe(filter((e) => e.type === "added")).subscribe((e) => {
    const lifetime: Lifetime = { id: nextLifetime++, sent: new Map(), received: new Map(), graceful: undefined, ended: false };
    lifetimes.set(lifetime.id, lifetime);
    current = { peer: e.peer, lifetime };
    e.peer.ended$.subscribe(() => {
      lifetime.ended = true;
      if (current?.lifetime === lifetime) current = undefined;
    });
  });
  const tick = () => {
    if (current === undefined) return;
    const { peer, lifetime } = current;
    const ch = CHANNELS[Math.floor(Math.random() * CHANNELS.length)];
    const seq = lifetime.sent.get(ch) ?? 0;
    if (peer.trySend(ch, message(lifetime.id, ch, seq))) lifetime.sent.set(ch, seq + 1);
  };
  return { sw, tick, current: () => current, redial: () => void sw.dial(hubAddress).catch(() => undefined) };
}

const clients = Array.from({ length: PEERS }, client);
for (const c of clients) await c.sw.start();

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const samples: { t: number; heap: number; rss: number }[] = [];
const started = Date.now();
// What other processes take of the cores while the soak runs: the event-loop bound is judged only
// when they leave it the machine (the benchmark's rule for a quiet run).
const otherLoad = measureLoad();
const end = started + minutes * 60_000;
let disconnects = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  samples.push({ t: (Date.now() - started) / 1000, heap: m.heapUsed, rss: m.rss });
  const done = [...lifetimes.values()].reduce((s, l) => s + [...l.received.values()].reduce((a, b) => a + b, 0), 0);
  const line = `  ${((Date.now() - started) / 1000).toFixed(0)} s: ${hub.peers.size} peers, ${lifetimes.size} lifetimes, ${done} messages checked, ${disconnects} disconnects`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}   `);
  else if (samples.length % 10 === 0) process.stdout.write(`${line}\n`);
}, 1000);
const traffic = setInterval(() => {
  for (const c of clients) if (Math.random() < 0.5) c.tick();
}, 20);
const chaos = setInterval(() => {
  const who = clients[Math.floor(Math.random() * clients.length)];
  const c = who.current();
  if (c === undefined) return;
  disconnects++;
  if (Math.random() < 0.5) {
    // a graceful close is not redialled by the switch: dial again by hand
    c.lifetime.graceful = true;
    void c.peer.connection.close().then(() => setTimeout(who.redial, 100));
  } else {
    // an abort is redialled by the switch (persistent peer)
    c.lifetime.graceful = false;
    c.peer.connection.abort(new TransportError("soak: connection dropped"));
  }
}, 500);

while (Date.now() < end) await new Promise((r) => setTimeout(r, 250));
clearInterval(traffic);
clearInterval(chaos);
await new Promise((r) => setTimeout(r, 2000)); // let what is in flight arrive
clearInterval(sampler);
delay.disable();
process.stdout.write("\n");

// Graceful lifetimes must have delivered everything the client queued; others a prefix.
let checked = 0;
for (const l of lifetimes.values()) {
  for (const ch of CHANNELS) {
    const sent = l.sent.get(ch) ?? 0;
    const got = l.received.get(ch) ?? 0;
    checked += got;
    if (got > sent) fail(`lifetime ${l.id} channel ${ch}: received ${got} > sent ${sent}`);
    if ((l.graceful === true || !l.ended) && got !== sent) fail(`lifetime ${l.id} channel ${ch} (${l.graceful === true ? "closed gracefully" : "still open"}): received ${got} of ${sent}`);
  }
}
await Promise.all(clients.map((c) => c.sw.stop()));
await hub.stop();

const warm = samples.filter((s) => s.t >= samples[samples.length - 1].t * 0.25);
const third = Math.max(1, Math.floor(warm.length / 3));
const avg = (xs: typeof samples, k: "heap" | "rss") => xs.reduce((s, x) => s + x[k], 0) / Math.max(1, xs.length);
const growth = (k: "heap" | "rss") => avg(warm.slice(-third), k) - avg(warm.slice(0, third), k);
const mib = (n: number) => n / 2 ** 20;
const summary = {
  minutes,
  peers: PEERS,
  channels: CHANNELS.length,
  lifetimes: lifetimes.size,
  disconnects,
  messagesChecked: checked,
  heapGrowthAfterWarmupMiB: mib(growth("heap")),
  rssGrowthAfterWarmupMiB: mib(growth("rss")),
  maxHeapMiB: mib(Math.max(...samples.map((s) => s.heap))),
  maxRssMiB: mib(Math.max(...samples.map((s) => s.rss))),
  eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
  eventLoopDelayMaxMs: delay.max / 1e6,
  failures,
};
if (summary.heapGrowthAfterWarmupMiB > 32) fail(`heap grew ${summary.heapGrowthAfterWarmupMiB.toFixed(1)} MiB after warm-up`);
// 51 switches share one process (and the machine's cores) here: the bound is generous. It is a
// bound on the machine as much as on the code, so a run that shared the cores with other work
// (other processes took a quarter of a core or more) reports the delay without judging it.
const { otherCores } = otherLoad.stop("soak");
const busy = otherCores !== undefined && otherCores >= QUIET_OTHER_CORES;
const delayVerdict = busy ? `not judged (busy machine: other processes took ${otherCores.toFixed(2)} cores)` : "judged (≤ 250 ms)";
if (!busy && summary.eventLoopDelayP99Ms > 250) fail(`event-loop delay p99 ${summary.eventLoopDelayP99Ms.toFixed(1)} ms`);
summary.failures = failures;

const rows: [string, string][] = [
  ["duration", `${minutes} min`],
  ["peers × channels", `${PEERS} × ${CHANNELS.length}`],
  ["connection lifetimes", String(lifetimes.size)],
  ["disconnects (half graceful)", String(disconnects)],
  ["messages checked (seq + contents)", String(checked)],
  ["heap growth after warm-up", `${summary.heapGrowthAfterWarmupMiB.toFixed(1)} MiB`],
  ["RSS growth after warm-up", `${summary.rssGrowthAfterWarmupMiB.toFixed(1)} MiB`],
  ["max heap / RSS", `${summary.maxHeapMiB.toFixed(0)} / ${summary.maxRssMiB.toFixed(0)} MiB`],
  ["event-loop delay p99 / max", `${summary.eventLoopDelayP99Ms.toFixed(1)} / ${summary.eventLoopDelayMaxMs.toFixed(1)} ms, ${delayVerdict}`],
  ["failures", failures.length === 0 ? "none" : failures.join("; ")],
];
for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v}`);
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/latest.json", import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), ...summary, otherCores, eventLoopDelayJudged: !busy }, null, 2)}\n`);
process.exit(failures.length === 0 ? 0 : 1);
