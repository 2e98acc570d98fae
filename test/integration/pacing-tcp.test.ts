import { expect } from "chai";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { MConnectionConfig } from "../../src/mconn/config.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { tcpPair, within } from "../helpers/tcp.js";

const channels = [
  { id: 1, priority: 1, sendQueueCapacity: 4 },
  { id: 2, priority: 5, sendQueueCapacity: 100 },
];

/** Urgent messages sent per run, and the bulk bytes received before the first and between two. */
const URGENT = 20;
const WARMUP = 256 * 1024;
const STEP = 128 * 1024;

/**
 * Channel 1 saturates a connection whose reader takes 1 MB/s (its receive rate limit pauses the
 * socket, so the kernel's buffers fill) while channel 2 sends a numbered 64-byte message each
 * time the reader has received another 128 KiB of bulk (after the first 256 KiB), 20 in all:
 * paced by what arrives, not by a clock. For each, counts the bulk bytes the reader received
 * between its hand-over and its arrival (what was queued ahead of it); returns the median of
 * those counts, how many urgent messages arrived, and how many were sent.
 */
async function bytesAheadOfUrgent(sender: Partial<MConnectionConfig>): Promise<{ median: number; count: number; sent: number; refused: number }> {
  const tcp = await tcpPair();
  const a = new MConnection(socketDuplex(tcp.client), { channels, config: { sendRate: 0, recvRate: 0, ...sender } });
  const b = new MConnection(socketDuplex(tcp.server), { channels, config: { sendRate: 0, recvRate: 1_000_000 } });
  let bulk: Promise<void> = Promise.resolve();
  try {
    let bulkReceived = 0;
    let refused = 0;
    const atHandOver: number[] = [];
    const ahead: number[] = [];
    let allArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    b.channel(2).messages$.subscribe((m) => {
      if (ahead.push(bulkReceived - atHandOver[m[0] | (m[1] << 8)]) === URGENT) allArrived();
    });
    b.channel(1).messages$.subscribe((m) => {
      bulkReceived += m.length;
      if (atHandOver.length === URGENT || bulkReceived < WARMUP + atHandOver.length * STEP) return;
      const i = atHandOver.length;
      const urgent = new Uint8Array(64);
      urgent[0] = i & 0xff;
      urgent[1] = i >> 8;
      atHandOver.push(bulkReceived);
      if (!a.trySend(2, urgent)) refused++;
    });
    a.start();
    b.start();
    bulk = (async () => {
      const payload = new Uint8Array(64 * 1024);
      while (atHandOver.length < URGENT && (await a.send(1, payload)));
    })();
    await bulk;
    // Every urgent message arrives: the reader keeps taking 1 MB/s of what is ahead of it.
    await within(arrived, 45_000, "every urgent message");
    const sorted = ahead.slice().sort((x, y) => x - y);
    return { median: sorted[Math.floor(sorted.length / 2)] ?? Infinity, count: ahead.length, sent: atHandOver.length, refused };
  } finally {
    a.abort(new TransportError("test over"));
    b.abort(new TransportError("test over"));
    await bulk.catch(() => undefined);
    await tcp.close();
  }
}

describe("MConnection pacing over TCP on 127.0.0.1", function () {
  this.timeout(120_000);

  it("keeps few bytes ahead of a priority-5 message behind a saturated channel to a slow reader; without pacing the kernel's buffers are ahead of it", async () => {
    const paced = await bytesAheadOfUrgent({});
    const unpaced = await bytesAheadOfUrgent({ pacingTargetDelay: 0 });
    console.log(`      median bulk bytes ahead of a priority-5 message: ${paced.median} paced, ${unpaced.median} unpaced`);
    expect(paced.sent, "urgent messages sent (paced)").to.equal(URGENT);
    expect(paced.refused + unpaced.refused, "urgent messages the queue refused").to.equal(0);
    expect(paced.count, "urgent messages received (paced): every one sent").to.equal(paced.sent);
    // The least window (128 KiB) plus a write buffer, well under what the kernel holds.
    expect(paced.median, `paced: ${paced.median} B ahead, unpaced ${unpaced.median} B`).to.be.below(1 << 20);
    expect(unpaced.median, `unpaced: ${unpaced.median} B ahead, paced ${paced.median} B`).to.be.greaterThan(2 * paced.median);
  });
});
