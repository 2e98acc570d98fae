/**
 * The memory budget divided, not first come first served: peers leaving messages unfinished
 * hold the whole budget, and a peer from another host still gets its message through; those
 * past their share are ended with a MemoryBudgetError naming the budget, the newcomer never.
 * Real sockets, each peer from its own loopback host.
 */
import { expect } from "chai";
import type { Socket } from "node:net";
import { filter, firstValueFrom } from "rxjs";
import { MemoryBudgetError } from "../../src/mconn/memory-budget.js";
import type { PeerEvent, Switch } from "../../src/p2p/switch.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import type { Packet } from "../../src/wire/packet.js";
import { host, peerFrom } from "../helpers/hosts.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const KiB = 1024;

/** `bytes` of one message on `channelId` in 1 KiB packets; the last has `eof` only if `finish`. */
function message(channelId: number, bytes: number, finish: boolean): Packet[] {
  const packets: Packet[] = [];
  for (let at = 0; at < bytes; at += KiB) {
    const n = Math.min(KiB, bytes - at);
    packets.push({ type: "msg", channelId, eof: finish && at + n >= bytes, data: new Uint8Array(n).fill(7) });
  }
  return packets;
}

/** Resolves once `check()` holds, looking after each turn of the event loop. */
async function until(check: () => boolean, what: string): Promise<void> {
  let looking = true;
  try {
    await within(
      new Promise<void>((resolve) => {
        const look = () => (check() ? resolve() : looking && setImmediate(look));
        look();
      }),
      10_000,
      what,
    );
  } finally {
    looking = false;
  }
}

function removal(sw: Switch, id: string): Promise<PeerEvent> {
  return firstValueFrom((sw.peers$).pipe(filter((e) => e.type === "removed" && e.peer.id === id)));
}

function reasonOf(e: PeerEvent): unknown {
  return e.type === "removed" && e.reason.kind === "error" ? e.reason.error : undefined;
}

describe("fair shares of the memory budget under pressure", function () {
  this.timeout(120_000);
  let sw: Switch;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await sw.stop();
  });

  /**
   * Rogues (each from `rogueHosts[i]`) leave `partial` unfinished messages on the first channels;
   * then a peer from a host of its own sends a 2-packet message, which must arrive.
   */
  async function pressure(o: { budget: number; channels: number; rogueHosts: string[]; partial: number; bytes: number }) {
    const ids = Array.from({ length: o.channels }, (_, i) => 0x40 + i);
    ({ sw } = makeSwitch({ bulk: { channels: ids.map((id) => ({ id, recvMessageCapacity: 1 << 20 })) } }, { maxReceiveBuffer: o.budget, mconnection: { recvRate: 0 } }));
    await sw.start();
    const ended: Promise<PeerEvent>[] = [];
    for (const [i, from] of o.rogueHosts.entries()) {
      const rogue = await peerFrom(sw, from);
      sockets.push(rogue.socket);
      ended.push(removal(sw, rogue.id));
      const before = sw.memoryBudget.evictions;
      rogue.duplex.write(encodeBatch(ids.slice(0, o.partial).flatMap((id) => message(id, o.bytes, false))));
      // each rogue after the first makes room by ending one past its share
      await until(() => sw.memoryBudget.used >= o.budget / 2 && sw.memoryBudget.evictions >= before + (i === 0 ? 0 : 1), `rogue ${i} holding (${JSON.stringify({ used: sw.memoryBudget.used, evictions: sw.memoryBudget.evictions, holders: sw.memoryBudget.holders, peers: sw.peers.size })})`);
    }
    const highWaterBefore = sw.memoryBudget.highWater;
    const honest = await peerFrom(sw, host(200));
    sockets.push(honest.socket);
    const honestEnded = removal(sw, honest.id);
    const arrived = firstValueFrom(sw.channel(0x40).messages$.pipe(filter((e) => e.peer.id === honest.id)));
    honest.duplex.write(encodeBatch(message(0x40, KiB + 500, true)));
    const got = await within(arrived, 60_000, "the honest peer's 2-packet message");
    const reasons = (await Promise.all(ended)).map(reasonOf);
    return { got, reasons, highWaterBefore, honestEnded };
  }

  it("two hosts each leaving two messages of 16 KiB + 1 unfinished in a 64 KiB budget: a third peer's 2-packet message is delivered", async () => {
    const { got, reasons, highWaterBefore, honestEnded } = await pressure({ budget: 64 * KiB, channels: 2, rogueHosts: [host(0), host(1)], partial: 2, bytes: 16 * KiB + 1 });
    expect(highWaterBefore, "the rogues had filled the budget").to.equal(64 * KiB);
    expect(got.message.length).to.equal(KiB + 500);
    expect(reasons.every((e) => e instanceof MemoryBudgetError && e.action === "evicted"), "each rogue ended to make room").to.equal(true);
    expect(sw.memoryBudget.highWater, "never past the budget").to.be.at.most(64 * KiB);
    expect(sw.peers.size, "the honest peer stays").to.equal(1);
    expect(sw.memoryBudget.used).to.equal(0);
    void honestEnded.catch(() => undefined);
  });

  it("one host against a 16-channel node, its connections leaving a message on every channel: a peer from another host still gets through", async () => {
    const rogue = host(0);
    const { got, reasons, honestEnded } = await pressure({ budget: 1 << 20, channels: 16, rogueHosts: [rogue, rogue, rogue], partial: 16, bytes: 32 * KiB + 1 });
    expect(got.message.length).to.equal(KiB + 500);
    expect(reasons.every((e) => e instanceof MemoryBudgetError), "every rogue connection ended by the budget").to.equal(true);
    expect(sw.memoryBudget.highWater).to.be.at.most(1 << 20);
    expect(sw.peers.size, "the honest peer stays").to.equal(1);
    void honestEnded.catch(() => undefined);
  });
});
