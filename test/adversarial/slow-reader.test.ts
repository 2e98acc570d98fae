/**
 * A peer that never reads (though it keeps sending pings) while the switch broadcasts at a
 * steady pace: `broadcast()` returns at once, a good peer keeps receiving at the broadcast rate
 * with a bounded delay, the non-reader's drops are counted, and it is ended by WriteStallError.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { filter, firstValueFrom } from "rxjs";
import { WriteStallError } from "../../src/errors.js";
import type { Switch } from "../../src/p2p/switch.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import { peerFrom } from "../helpers/hosts.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const CH = 0x40;
const SIZE = 32 * 1024;
const PERIOD_MS = 10;
const STALL_MS = 2000;

describe("broadcast with a peer that never reads", function () {
  this.timeout(120_000);
  let sw: Switch;
  let good: Switch;
  afterEach(async () => {
    await Promise.allSettled([good.stop(), sw.stop()]);
  });

  it("a good peer keeps receiving every broadcast at its pace; the non-reader drops, then ends with WriteStallError", async () => {
    const reactor = { channels: [{ id: CH, sendQueueCapacity: 16 }] };
    ({ sw } = makeSwitch({ r: reactor }, { mconnection: { sendRate: 0, recvRate: 0, writeStallTimeout: STALL_MS } }));
    ({ sw: good } = makeSwitch({ r: reactor }, { mconnection: { sendRate: 0, recvRate: 0 } }));
    await sw.start();
    await good.start();
    const goodAdded = nextPeerEvents(sw, "added", 1);
    await good.dial(sw.address!);
    await goodAdded;
    const rogueAdded = nextPeerEvents(sw, "added", 1);
    const rogue = await peerFrom(sw, "127.0.0.1", CH); // never subscribes to incoming$: its socket reads nothing
    const [added] = await rogueAdded;
    const roguePeer = added.type === "added" ? added.peer : undefined;
    const rogueEnded = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === rogue.id)));
    // the non-reader keeps sending messages: life on the wire must not keep it
    const chatter = setInterval(() => rogue.duplex.write(encodeBatch([{ type: "msg", channelId: CH, eof: true, data: Uint8Array.of(7) }])), 50);

    const delays: number[] = [];
    good.channel(CH).messages$.subscribe(({ message }) => delays.push(performance.now() - new DataView(message.buffer, message.byteOffset).getFloat64(0)));
    let offered = 0;
    let droppedByRogue = 0;
    let slowestCall = 0;
    let rogueGoneAt: number | undefined;
    const started = performance.now();
    void rogueEnded.then(() => (rogueGoneAt = performance.now()));
    // broadcast every PERIOD_MS until the rogue is gone, then one more second
    while (rogueGoneAt === undefined || performance.now() - rogueGoneAt < 1000) {
      if (performance.now() - started > 60_000) break;
      const message = new Uint8Array(SIZE);
      new DataView(message.buffer).setFloat64(0, performance.now());
      const t0 = performance.now();
      const result = sw.broadcast(CH, message);
      slowestCall = Math.max(slowestCall, performance.now() - t0);
      offered++;
      expect(result.queued + result.dropped + result.skipped, "every peer offered the message or skipped").to.equal(rogueGoneAt === undefined ? 2 : 1);
      droppedByRogue += result.dropped;
      await new Promise((r) => setTimeout(r, PERIOD_MS));
    }
    clearInterval(chatter);
    const elapsed = (performance.now() - started) / 1000;
    const event = await within(rogueEnded, 1, "the non-reader removed");
    expect(event.type === "removed" && event.reason.kind === "error" && event.reason.error, "the non-reader's reason").to.be.instanceOf(WriteStallError);
    expect(droppedByRogue, "broadcasts the non-reader could not take").to.be.greaterThan(0);
    // Ended within writeStallTimeout of its first unanswered probe (probes are given up each second).
    expect(rogueGoneAt! - started, "ms until the non-reader was ended").to.be.below(STALL_MS + 3000);
    const rogueStatus = roguePeer!.connection.status().find((c) => c.id === CH)!;
    expect(rogueStatus.dropped, "its drops are counted on its channel (status$, metrics)").to.equal(droppedByRogue);
    await within(
      (async () => {
        while (delays.length < offered) await new Promise((r) => setTimeout(r, 20));
      })(),
      20_000,
      "every broadcast the good peer took",
    );
    const goodStatus = [...sw.peers.values()][0].connection.status().find((c) => c.id === CH)!;
    expect(sw.peers.size, "the good peer stays").to.equal(1);
    expect(goodStatus.dropped, "the good peer dropped nothing").to.equal(0);
    expect(delays.length, "the good peer received every broadcast").to.equal(offered);
    const sorted = [...delays].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)];
    const worst = sorted[sorted.length - 1];
    // Before, each broadcast waited for the non-reader's queue (sendTimeout, 10 s): the good peer got 0.08 msg/s.
    expect(worst, "the good peer's worst delay (ms)").to.be.below(STALL_MS);

    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile(
      "test/adversarial/results/slow-reader.json",
      `${JSON.stringify(
        {
          messageBytes: SIZE,
          periodMs: PERIOD_MS,
          writeStallTimeoutMs: STALL_MS,
          broadcasts: offered,
          goodPeerRatePerSecond: +(delays.length / elapsed).toFixed(1),
          goodPeerDelayMs: { median: +sorted[Math.floor(sorted.length / 2)].toFixed(1), p99: +p99.toFixed(1), max: +worst.toFixed(1) },
          droppedByNonReader: droppedByRogue,
          nonReaderEndedAfterS: +(((rogueGoneAt ?? 0) - started) / 1000).toFixed(1),
          slowestBroadcastCallMs: +slowestCall.toFixed(2),
        },
        null,
        2,
      )}\n`,
    );
  });
});
