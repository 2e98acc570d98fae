import { expect } from "chai";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { MConnectionConfig } from "../../src/mconn/config.js";
import { TransportError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { tcpPair } from "../helpers/tcp.js";

const channels = [
  { id: 1, priority: 1, sendQueueCapacity: 4 },
  { id: 2, priority: 5, sendQueueCapacity: 100 },
];

/**
 * Channel 1 saturates a connection whose reader takes 1 MB/s (its receive rate limit pauses the
 * socket, so the kernel's buffers fill) while channel 2 sends a numbered 64-byte message every
 * 50 ms for 2.5 s. For each, counts the bulk bytes the reader received between its hand-over and
 * its arrival (what was queued ahead of it); returns the median of those counts, how many urgent
 * messages arrived and how many were sent.
 */
async function bytesAheadOfUrgent(sender: Partial<MConnectionConfig>): Promise<{ median: number; count: number; sent: number }> {
  const tcp = await tcpPair();
  const a = new MConnection(socketDuplex(tcp.client), { channels, config: { sendRate: 0, recvRate: 0, ...sender } });
  const b = new MConnection(socketDuplex(tcp.server), { channels, config: { sendRate: 0, recvRate: 1_000_000 } });
  let bulk: Promise<void> = Promise.resolve();
  try {
    let bulkReceived = 0;
    const atHandOver: number[] = [];
    const ahead: number[] = [];
    b.channel(1).messages$.subscribe((m) => (bulkReceived += m.length));
    b.channel(2).messages$.subscribe((m) => ahead.push(bulkReceived - atHandOver[m[0] | (m[1] << 8)]));
    a.start();
    b.start();
    const ends = performance.now() + 2500;
    bulk = (async () => {
      const payload = new Uint8Array(64 * 1024);
      while (performance.now() < ends && (await a.send(1, payload)));
    })();
    for (let i = 0; performance.now() < ends; i++) {
      const m = new Uint8Array(64);
      m[0] = i & 0xff;
      m[1] = i >> 8;
      atHandOver[i] = bulkReceived;
      expect(a.trySend(2, m)).to.equal(true);
      await new Promise((r) => setTimeout(r, 50));
    }
    await bulk;
    // Let what was sent arrive (at most a few seconds at 1 MB/s) before counting.
    for (let waited = 0; ahead.length < atHandOver.length && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const sorted = ahead.slice().sort((x, y) => x - y);
    return { median: sorted[Math.floor(sorted.length / 2)] ?? Infinity, count: ahead.length, sent: atHandOver.length };
  } finally {
    a.abort(new TransportError("test over"));
    b.abort(new TransportError("test over"));
    await bulk.catch(() => undefined);
    await tcp.close();
  }
}

describe("MConnection pacing over TCP on 127.0.0.1", function () {
  this.timeout(60_000);

  it("keeps few bytes ahead of a priority-5 message behind a saturated channel to a slow reader; without pacing the kernel's buffers are ahead of it", async () => {
    const paced = await bytesAheadOfUrgent({});
    const unpaced = await bytesAheadOfUrgent({ pacingTargetDelay: 0 });
    expect(paced.sent, "urgent messages sent (paced)").to.be.greaterThan(10);
    expect(paced.count, "urgent messages received (paced): every one sent").to.equal(paced.sent);
    // The least window (128 KiB) plus a write buffer, well under what the kernel holds.
    expect(paced.median, `paced: ${paced.median} B ahead, unpaced ${unpaced.median} B`).to.be.below(1 << 20);
    expect(unpaced.median, `unpaced: ${unpaced.median} B ahead, paced ${paced.median} B`).to.be.greaterThan(2 * paced.median);
  });
});
