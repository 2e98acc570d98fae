/**
 * What an idle, started MConnection holds, without sockets: `count` pairs of MConnections on
 * in-memory duplexes (`duplexPair()`), each subscribed as a Switch's peer subscribes
 * (`messages$` and `ended$`), started and left idle past a few keepalive rounds in real time
 * (a `pingInterval` of 2 s). Prints the heap used per connection after collections and, by
 * constructor, what the heap snapshots after and before hold per connection. Run with
 * `--expose-gc`; `BENCH_PACKAGE=dist` for the built package:
 *
 *     node --expose-gc --import tsx bench/idle-heap-pairs.ts 1000 [channels]
 *
 * Snapshots go to the system's temporary directory and are removed afterwards.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { printGroupDifference, settledMemory, snapshotGroups } from "./heap-groups.js";
import { loadPackage } from "./package-under-test.js";

const count = Number(process.argv[2] ?? 1000);
const channelCount = Number(process.argv[3] ?? 3);
const { MConnection, duplexPair, TransportError } = await loadPackage();
const channels = Array.from({ length: channelCount }, (_, i) => ({ id: 0x20 + i, priority: 1 + i }));
const config = { pingInterval: 2000, pongTimeout: 1900 };

const open = () =>
  duplexPair().map((duplex) => {
    const conn = new MConnection(duplex, { channels, config });
    conn.messages$.subscribe();
    conn.ended$.subscribe();
    conn.start();
    return conn;
  });
// Warm the code paths once (a message each way, keepalive rounds), so that both snapshots hold
// the code and the difference is state.
const warm = open();
await warm[0].send(0x20, new Uint8Array(100));
await sleep(2500);
for (const c of warm) c.abort(new TransportError("warm-up over"));
await sleep(100);

const memBefore = await settledMemory();
const before = snapshotGroups("pairs-before");
const conns = Array.from({ length: count }, open).flat();
// Past a few keepalive rounds (each side pings after 2 s without a packet).
await sleep(4500);
const memAfter = await settledMemory();
const after = snapshotGroups("pairs-after");
const n = conns.length;
const per = (k: keyof NodeJS.MemoryUsage) => ((memAfter[k] - memBefore[k]) / n).toFixed(0);
const running = conns.filter((c) => c.isRunning).length;
console.log(`${n} idle MConnections (${count} pairs, ${channelCount} channels, ${running} running); per connection: heapUsed ${per("heapUsed")} B, external ${per("external")} B`);
printGroupDifference(before, after, n, "connection");
for (const c of conns) c.abort(new TransportError("over"));
process.exit(0);
