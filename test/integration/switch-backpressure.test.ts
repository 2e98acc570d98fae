/**
 * Backpressure from the consumer on real sockets: a consumer of `channel(id).messages()` taking
 * 10 ms per message slows a peer that sends as fast as it can down to the consumer's pace,
 * through TCP (our side stops reading), with a bounded buffer and nothing lost or reordered.
 */
import { expect } from "chai";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";

const CH = 0x41;
const SIZE = 16 * 1024;
const HWM = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sentMessages(peer: Peer): number {
  return peer.connection.status().find((c) => c.id === CH)!.sentMessages;
}

describe("Switch: channel(id).messages() pushes back on a fast peer over TCP", function () {
  this.timeout(60_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("a consumer taking 10 ms per message slows the sender to its pace; buffer bounded, nothing lost, order kept", async () => {
    const reactor = { channels: [{ id: CH, sendQueueCapacity: 4 }] };
    const receiver = makeSwitch({ r: reactor }).sw;
    const sender = makeSwitch({ r: reactor }).sw;
    started.push(receiver, sender);
    await receiver.start();
    await sender.start();
    const iterator = receiver.channel(CH).messages({ highWaterMark: HWM });
    const added = nextPeerEvents(sender, "added", 1);
    await sender.dial(receiver.address!);
    const [{ peer }] = await added;

    // The sender: as fast as the peer takes them, each message numbered.
    let produced = 0;
    function* numbered() {
      for (;;) {
        const m = new Uint8Array(SIZE);
        new DataView(m.buffer).setUint32(0, produced++);
        yield m;
      }
    }
    const sending = peer.sendFrom(numbered(), CH);

    const heapBefore = process.memoryUsage().heapUsed;
    let consumed = 0;
    let maxBuffered = 0;
    let maxHeapGrowth = 0;
    const marks: { at: number; sent: number; consumed: number }[] = [];
    const start = Date.now();
    for await (const { message } of iterator) {
      expect(new DataView(message.buffer, message.byteOffset).getUint32(0)).to.equal(consumed, "in order, none missing");
      expect(message.length).to.equal(SIZE);
      consumed++;
      maxBuffered = Math.max(maxBuffered, iterator.buffered);
      maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - heapBefore);
      if (consumed % 50 === 0) marks.push({ at: Date.now() - start, sent: sentMessages(peer), consumed });
      if (Date.now() - start > 4000) break;
      await sleep(10); // the slow consumer
    }
    sending.unsubscribe();

    const last = marks.at(-1)!;
    const mid = marks.find((m) => m.at >= last.at / 2)!;
    const sendRate = ((last.sent - mid.sent) * 1000) / (last.at - mid.at);
    const consumeRate = ((last.consumed - mid.consumed) * 1000) / (last.at - mid.at);
    const inFlight = last.sent - last.consumed;
    console.log(`      consumer ${consumeRate.toFixed(0)} msg/s, sender ${sendRate.toFixed(0)} msg/s over the second half; ` +
      `sent ${last.sent} vs consumed ${last.consumed} (${((inFlight * SIZE) / 2 ** 20).toFixed(1)} MiB in flight); ` +
      `max buffered ${maxBuffered}; max heap growth ${(maxHeapGrowth / 2 ** 20).toFixed(1)} MiB`);
    // The sender's rate fell to the consumer's: what it wrote beyond what was consumed is the
    // sockets' buffers and ours, which stopped growing.
    expect(sendRate).to.be.below(consumeRate * 1.5 + 20);
    // Our buffer: highWaterMark plus what one socket read (64 KiB) can carry.
    expect(maxBuffered).to.be.at.most(HWM + (64 * 1024) / SIZE + 1);
    expect(maxHeapGrowth).to.be.below(64 * 2 ** 20);
    expect(peer.isRunning).to.equal(true);
  });
});
