import { filter, firstValueFrom, startWith } from "rxjs";
import { generateNodeKey } from "../../secret/node-key.js";
import { secretAuthenticator } from "../../p2p/secret-authenticator.js";
import { Switch } from "../../p2p/switch.js";
import type { Peer } from "../../p2p/peer.js";
import { bytes, numberOption, pad, type Command } from "../args.js";

interface DemoChannel {
  readonly id: number;
  readonly name: string;
  readonly priority: number;
  /** Saturated channels always have a backlog; chat sends a line every 100 ms. */
  readonly saturated: boolean;
}

const CHANNELS: readonly DemoChannel[] = [
  { id: 0x40, name: "chat", priority: 5, saturated: false },
  { id: 0x41, name: "blocks", priority: 4, saturated: true },
  { id: 0x42, name: "bulk", priority: 1, saturated: true },
];
const NAMES = ["alice", "bob", "carol"];
const BULK = new Uint8Array(64 * 1024).fill(0x42);

interface Tally {
  messages: number;
  bytes: number;
  latencies: number[];
  /** The peers it came from. */
  from: Set<string>;
}

/** `demo`: three nodes on loopback, encrypted, chat beside saturated bulk channels. */
export const demo: Command = {
  summary: "three nodes on 127.0.0.1 (SecretConnection), a chat channel beside two saturated bulk channels; live shares",
  usage: "rx-mconn demo [--seconds N]",
  options: { seconds: { type: "string", arg: "N", help: "how long the nodes exchange", default: "5" } },
  async run(values, _positionals, io) {
    const seconds = numberOption(values, "seconds");
    const saturatedPriority = CHANNELS.filter((c) => c.saturated).reduce((s, c) => s + c.priority, 0);
    const nodes = NAMES.map((name) => {
      const key = generateNodeKey();
      const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "rx-mconn-demo", moniker: name, listen: "127.0.0.1:0", allowDuplicateIp: true, mconnection: { sendRate: 0, recvRate: 0 } });
      sw.addReactor("demo", { channels: CHANNELS.map((c) => ({ id: c.id, priority: c.priority, sendQueueCapacity: 8 })) });
      const tally = new Map<number, Tally>(CHANNELS.map((c) => [c.id, { messages: 0, bytes: 0, latencies: [], from: new Set<string>() }]));
      for (const c of CHANNELS)
        sw.channel(c.id).messages$.subscribe(({ peer, message }) => {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- tally holds every channel of CHANNELS, set up above
          const t = tally.get(c.id)!;
          t.messages++;
          t.bytes += message.length;
          t.from.add(peer.id);
          if (!c.saturated) t.latencies.push(performance.now() - new DataView(message.buffer, message.byteOffset, 8).getFloat64(0));
        });
      return { name, sw, tally, dropped: new Map<number, number>() };
    });
    try {
      for (const n of nodes) await n.sw.start();
      // bob dials alice; carol dials alice and bob: a full mesh.
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the nodes listen on 127.0.0.1:0, so each has an address once started
      await nodes[1].sw.dial(nodes[0].sw.address!);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the nodes listen on 127.0.0.1:0, so each has an address once started
      await nodes[2].sw.dial(nodes[0].sw.address!);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the nodes listen on 127.0.0.1:0, so each has an address once started
      await nodes[2].sw.dial(nodes[1].sw.address!);
      // A dial resolves once the dialer has its peer; the accepting side adds it a moment later.
      // Every node sends to the peers it has when the run starts, so wait until each has both.
      const meshed = Promise.all(nodes.map((n) => firstValueFrom(n.sw.peers$.pipe(startWith(undefined), filter(() => n.sw.peers.size === NAMES.length - 1)))));
      await Promise.race([meshed, io.stopped]);
      io.out(`rx-mconn demo: ${NAMES.join(", ")} on 127.0.0.1, encrypted (SecretConnection), full mesh, ${seconds} s`);
      for (const n of nodes) io.out(`  ${n.name.padEnd(6)} ${n.sw.address}`);
      io.out(`  channels: ${CHANNELS.map((c) => `0x${c.id.toString(16)} ${c.name} (priority ${c.priority}${c.saturated ? ", saturated" : ", a line every 100 ms"})`).join(", ")}`);
      io.out(`  each node sends to each of its ${NAMES.length - 1} peers: both saturated channels as fast as the connection takes them, and a chat line every 100 ms;`);
      io.out(`  so each node receives from ${NAMES.length - 1} peers, and on each connection the saturated channels share the bandwidth by priority (${CHANNELS.filter((c) => c.saturated).map((c) => `${c.name} ${c.priority}`).join(" : ")}) while chat goes first`);
      io.out("");
      io.out(`what ${NAMES[0]} received in each second (from both its peers; rates over that second, not running totals):`);

      const deadline = Date.now() + seconds * 1000;
      const senders: Promise<void>[] = [];
      for (const n of nodes)
        for (const peer of n.sw.peers.values())
          for (const c of CHANNELS.filter((x) => x.saturated))
            senders.push(
              (async (p: Peer) => {
                while (Date.now() < deadline && p.isRunning) if (!(await p.send(c.id, BULK))) break;
              })(peer),
            );
      // Chat lines carry their send time; `send` waits for room in the queue (no drop unless
      // the wait outlasts sendTimeout, and then it is counted).
      const chat = setInterval(() => {
        for (const n of nodes) {
          const line = new Uint8Array(64);
          new DataView(line.buffer).setFloat64(0, performance.now());
          line.set(new TextEncoder().encode(` ${n.name}: hello`), 8);
          for (const peer of n.sw.peers.values()) void peer.send(0x40, line);
        }
      }, 100);
      const watched = nodes[0].tally;
      let last = new Map([...watched].map(([id, t]) => [id, t.bytes]));
      let lastLines = new Map([...watched].map(([id, t]) => [id, t.latencies.length]));
      let second = 0;
      const ticker = setInterval(() => {
        second++;
        const now = new Map([...watched].map(([id, t]) => [id, t.bytes]));
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both snapshots hold every channel of CHANNELS
        const rate = (id: number) => now.get(id)! - last.get(id)!;
        const saturatedBytes = CHANNELS.filter((c) => c.saturated).reduce((s, c) => s + rate(c.id), 0);
        const parts = CHANNELS.map((c) => {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- watched holds every channel of CHANNELS
          const t = watched.get(c.id)!;
          if (!c.saturated) {
            const lines = t.latencies.slice(lastLines.get(c.id));
            return `${c.name} ${lines.length} lines/s, latency p50 ${percentile(lines, 0.5).toFixed(1)} ms`;
          }
          const share = saturatedBytes === 0 ? 0 : (100 * rate(c.id)) / saturatedBytes;
          return `${c.name} ${bytes(rate(c.id))}/s, ${share.toFixed(1)} % of the saturated bytes (priority share ${((100 * c.priority) / saturatedPriority).toFixed(1)} %)`;
        });
        io.out(`${pad(second, 3)} s  ${parts.join("  |  ")}`);
        last = now;
        lastLines = new Map([...watched].map(([id, t]) => [id, t.latencies.length]));
      }, 1000);
      await Promise.race([Promise.all(senders), io.stopped]);
      clearInterval(chat);
      clearInterval(ticker);
      // Messages each node dropped, per channel, summed over its peers (before they close).
      for (const n of nodes)
        for (const peer of n.sw.peers.values()) for (const ch of peer.connection.status()) n.dropped.set(ch.id, (n.dropped.get(ch.id) ?? 0) + ch.dropped);
    } finally {
      await Promise.all(nodes.map((n) => n.sw.stop()));
    }

    io.out("");
    io.out("summary: totals over the whole run, received by each node (from: how many peers it received that channel from; share: of the");
    io.out("node's saturated bytes; dropped: messages the node could not queue for its peers; p50, p99: chat latency)");
    io.out(
      `${"node".padEnd(8)}${"channel".padEnd(14)}${pad("priority", 9)}${pad("from", 5)}${pad("messages", 10)}${pad("bytes", 11)}${pad("share", 9)}${pad("priority share", 16)}${pad("dropped", 9)}${pad("p50", 10)}${pad("p99", 10)}`,
    );
    let everyChannel = true;
    for (const n of nodes) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- each node's tally holds every channel of CHANNELS
      const saturatedBytes = CHANNELS.filter((c) => c.saturated).reduce((s, c) => s + n.tally.get(c.id)!.bytes, 0);
      for (const c of CHANNELS) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- each node's tally holds every channel of CHANNELS
        const t = n.tally.get(c.id)!;
        if (t.messages === 0 || t.from.size < NAMES.length - 1) everyChannel = false;
        const share = c.saturated ? `${((100 * t.bytes) / Math.max(1, saturatedBytes)).toFixed(1)} %` : "-";
        const want = c.saturated ? `${((100 * c.priority) / saturatedPriority).toFixed(1)} %` : "-";
        const latency = (q: number) => (c.saturated ? "-" : `${percentile(t.latencies, q).toFixed(1)} ms`);
        io.out(
          `${n.name.padEnd(8)}${`0x${c.id.toString(16)} ${c.name}`.padEnd(14)}${pad(c.priority, 9)}${pad(t.from.size, 5)}${pad(t.messages, 10)}${pad(bytes(t.bytes), 11)}${pad(share, 9)}${pad(want, 16)}${pad(n.dropped.get(c.id) ?? 0, 9)}${pad(latency(0.5), 10)}${pad(latency(0.99), 10)}`,
        );
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- each node's tally holds every channel of CHANNELS
    const chatLatencies = nodes.flatMap((n) => CHANNELS.filter((c) => !c.saturated).flatMap((c) => n.tally.get(c.id)!.latencies));
    const chatDropped = nodes.reduce((s, n) => s + CHANNELS.filter((c) => !c.saturated).reduce((d, c) => d + (n.dropped.get(c.id) ?? 0), 0), 0);
    io.out(
      `chat beside the saturated channels: ${chatLatencies.length} lines, latency p50 ${percentile(chatLatencies, 0.5).toFixed(1)} ms, p99 ${percentile(chatLatencies, 0.99).toFixed(1)} ms, ${chatDropped} dropped`,
    );
    io.out(everyChannel ? `every channel of every node received data from all ${NAMES.length - 1} of its peers` : "some channel of some node received nothing from one of its peers");
    return everyChannel ? 0 : 1;
  },
};

/** The `q` quantile (0–1) of `xs`, nearest rank; 0 for none. */
function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}
