/**
 * Backpressure from the consumer on real sockets: a consumer of `channel(id).messages()` that
 * takes 20 turns of the event loop per message — far slower than the sender, which writes a
 * 64 KiB buffer a turn — holds a peer that sends as fast as it can to its pace, through TCP (our
 * side stops reading), with a bounded buffer and nothing lost or reordered. Counted in messages,
 * not read off a clock: each time the sender produces a message, it is at most what the queues,
 * the kernel's socket buffers and ours can hold ahead of the consumer.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";

const CH = 0x41;
const SIZE = 16 * 1024;
const HWM = 16;
/** The slow consumer: turns of the event loop it lets pass per message. */
const TURNS_PER_MESSAGE = 20;
const turn = () => new Promise<void>((r) => setImmediate(r));

/** The most a TCP socket's send buffer and its peer's receive buffer may hold (Linux's limits; 64 MiB elsewhere). */
function kernelBufferBytes(): number {
  try {
    const max = (name: string) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8").trim().split(/\s+/)[2]);
    return max("tcp_wmem") + max("tcp_rmem");
  } catch {
    return 64 * 2 ** 20;
  }
}

function sentMessages(peer: Peer): number {
  return peer.connection.status().find((c) => c.id === CH)!.sentMessages;
}

describe("Switch: channel(id).messages() pushes back on a fast peer over TCP", function () {
  this.timeout(60_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  it("a consumer taking 20 turns of the event loop per message holds the sender to its pace; buffer bounded, nothing lost, order kept", async () => {
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
    let consumedSoFar = 0;
    let maxAhead = 0;
    function* numbered() {
      for (;;) {
        const m = new Uint8Array(SIZE);
        new DataView(m.buffer).setUint32(0, produced++);
        maxAhead = Math.max(maxAhead, produced - consumedSoFar);
        yield m;
      }
    }
    const sending = peer.sendFrom(numbered(), CH);

    // Ahead of the consumer at most: the sender's queue, the message it pulled, its write buffer,
    // both kernel buffers, the read in progress and our buffer.
    const bound = 4 + 1 + (64 * 1024) / SIZE + Math.ceil(kernelBufferBytes() / SIZE) + (64 * 1024) / SIZE + HWM + 1;
    const total = bound; // a sender not held back runs past the bound long before (it writes ~80 messages a message consumed)
    const heapBefore = process.memoryUsage().heapUsed;
    let consumed = 0;
    let maxBuffered = 0;
    let maxHeapGrowth = 0;
    for await (const { message } of iterator) {
      expect(new DataView(message.buffer, message.byteOffset).getUint32(0)).to.equal(consumed, "in order, none missing");
      expect(message.length).to.equal(SIZE);
      consumedSoFar = ++consumed;
      maxBuffered = Math.max(maxBuffered, iterator.buffered);
      maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - heapBefore);
      if (consumed === total) break;
      for (let i = 0; i < TURNS_PER_MESSAGE; i++) await turn(); // the slow consumer
    }
    sending.unsubscribe();

    console.log(`      consumed ${consumed}, sent ${sentMessages(peer)}; at most ${maxAhead} produced ahead of the consumer (bound ${bound}); ` +
      `max buffered ${maxBuffered}; max heap growth ${(maxHeapGrowth / 2 ** 20).toFixed(1)} MiB`);
    // The sender was held to the consumer's pace: never further ahead than the buffers between them.
    expect(maxAhead, "messages produced ahead of the consumer").to.be.at.most(bound);
    // The consumer was the slower: our buffer filled, so reading was paused.
    expect(maxBuffered, "our buffer reached its high-water mark").to.be.at.least(HWM);
    // Our buffer: highWaterMark plus what one socket read (64 KiB) can carry.
    expect(maxBuffered).to.be.at.most(HWM + (64 * 1024) / SIZE + 1);
    expect(maxHeapGrowth).to.be.below(64 * 2 ** 20);
    expect(peer.isRunning).to.equal(true);
  });
});
