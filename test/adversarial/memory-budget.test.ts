/**
 * Peers holding messages in progress just under their channels' receive capacity: together
 * they stay within the process's memory budget, each over its share is ended with a
 * MemoryBudgetError, and a good peer keeps exchanging messages, large ones included.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { filter, firstValueFrom } from "rxjs";
import { MemoryBudgetError } from "../../src/mconn/memory-budget.js";
import type { Switch } from "../../src/p2p/switch.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import { peerFrom } from "../helpers/hosts.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const MiB = 1024 * 1024;
const CAPACITY = 21 * MiB; // CometBFT's default recvMessageCapacity
const BUDGET = 32 * MiB;
const ROGUES = 8;
const channels = [
  { id: 0x40, recvMessageCapacity: CAPACITY },
  { id: 0x41, recvMessageCapacity: CAPACITY },
];

describe("a process-wide memory budget", function () {
  this.timeout(180_000);
  let sw: Switch;
  let good: Switch;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.allSettled([good.stop(), sw.stop()]);
  });

  it(`${ROGUES} peers each growing two messages toward ${CAPACITY / MiB} MiB: held within the ${BUDGET / MiB} MiB budget, each over its share ended`, async () => {
    ({ sw } = makeSwitch({ bulk: { channels } }, { maxReceiveBuffer: BUDGET, mconnection: { recvRate: 0 } }));
    ({ sw: good } = makeSwitch({ bulk: { channels } }, { mconnection: { recvRate: 0, sendRate: 0 } }));
    await sw.start();
    await good.start();
    const goodAdded = nextPeerEvents(sw, "added", 1);
    await good.dial(sw.address!);
    await goodAdded;
    const added = nextPeerEvents(sw, "added", ROGUES, 30_000);
    const rogues = await Promise.all(Array.from({ length: ROGUES }, () => peerFrom(sw, "127.0.0.1")));
    await added;
    sockets.push(...rogues.map((r) => r.socket));
    const ended = rogues.map((r) => firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === r.id))));

    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
    // each rogue: 64 KiB at a time on both channels, never eof, until its socket closes
    const chunk = encodeBatch(Array.from({ length: 64 }, (_, i) => ({ type: "msg" as const, channelId: i % 2 === 0 ? 0x40 : 0x41, eof: false, data: new Uint8Array(1024) })));
    const pump = async (r: (typeof rogues)[number]) => {
      const closed = new Promise((res) => r.socket.once("close", res)); // one listener per rogue, not one per wait
      for (let sent = 0; sent < 2 * (CAPACITY - MiB) && !r.socket.destroyed; sent += chunk.length) {
        if (!r.duplex.write(chunk)) await Promise.race([firstValueFrom(r.duplex.drained$).catch(() => undefined), closed]);
      }
    };
    await Promise.all(rogues.map(pump));
    const reasons = await within(Promise.all(ended), 60_000, "every rogue ended");
    clearInterval(sampler);
    const errors = reasons.map((e) => (e.type === "removed" && e.reason.kind === "error" ? e.reason.error : undefined));
    expect(errors.filter((e) => e instanceof MemoryBudgetError).length, "rogues ended for their share").to.equal(ROGUES);
    expect(sw.memoryBudget.highWater, "bytes held at once (the budget's count)").to.be.at.most(BUDGET);
    expect(sw.memoryBudget.used, "everything given back").to.equal(0);

    // the good peer is still there, and a large message gets through now that the budget is free
    const big = new Uint8Array(8 * MiB).fill(5);
    const arrived = firstValueFrom(sw.channel(0x40).messages$.pipe(filter((e) => e.peer.id === good.nodeId)));
    expect(good.broadcast(0x40, big).queued).to.equal(1);
    expect((await within(arrived, 60_000, "the good peer's 8 MiB message")).message.length).to.equal(big.length);

    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile(
      "test/adversarial/results/memory-budget.json",
      `${JSON.stringify({ rogues: ROGUES, capacityMiB: CAPACITY / MiB, budgetMiB: BUDGET / MiB, budgetHighWaterMiB: +(sw.memoryBudget.highWater / MiB).toFixed(1), arrayBuffersPeakMiB: +(peak / MiB).toFixed(1) }, null, 2)}\n`,
    );
    // The process's external memory also holds the rogues' own write buffers (they run in this
    // process) and garbage the collector has not reached yet; without the budget the rogues'
    // messages alone would hold 2 × 20 MiB each (320 MiB).
    expect(peak, "external memory high-water over the baseline").to.be.below(4 * BUDGET);
  });
});
