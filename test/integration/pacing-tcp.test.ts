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
 * socket, so the kernel's buffers fill) while channel 2 sends a stamped 64-byte message every
 * 50 ms for 2.5 s; returns the median latency of channel 2, in ms.
 */
async function urgentLatency(sender: Partial<MConnectionConfig>): Promise<{ median: number; count: number }> {
  const tcp = await tcpPair();
  const a = new MConnection(socketDuplex(tcp.client), { channels, config: { sendRate: 0, recvRate: 0, ...sender } });
  const b = new MConnection(socketDuplex(tcp.server), { channels, config: { sendRate: 0, recvRate: 1_000_000 } });
  const latencies: number[] = [];
  b.channel(2).messages$.subscribe((m) => latencies.push(performance.now() - new DataView(m.buffer, m.byteOffset).getFloat64(0)));
  a.start();
  b.start();
  const ends = performance.now() + 2500;
  const bulk = (async () => {
    const payload = new Uint8Array(64 * 1024);
    while (performance.now() < ends && (await a.send(1, payload)));
  })();
  while (performance.now() < ends) {
    const m = new Uint8Array(64);
    new DataView(m.buffer).setFloat64(0, performance.now());
    expect(a.trySend(2, m)).to.equal(true);
    await new Promise((r) => setTimeout(r, 50));
  }
  await bulk;
  // Let what was sent arrive (at most a few seconds at 1 MB/s) before measuring.
  const sent = Math.floor(2500 / 50);
  for (let waited = 0; latencies.length < sent * 0.9 && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  a.abort(new TransportError("test over"));
  b.abort(new TransportError("test over"));
  await tcp.close();
  const sorted = latencies.slice().sort((x, y) => x - y);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Infinity, count: latencies.length };
}

describe("MConnection pacing over TCP on 127.0.0.1", function () {
  this.timeout(60_000);

  it("keeps a priority-5 channel's latency low behind a saturated channel to a slow reader; without pacing it waits behind the kernel's buffers", async () => {
    const paced = await urgentLatency({});
    const unpaced = await urgentLatency({ pacingTargetDelay: 0 });
    expect(paced.count, "urgent messages received (paced)").to.be.greaterThan(40);
    // 128 KiB (the least window) at 1 MB/s is about 130 ms of queue.
    expect(paced.median, `paced median ${paced.median.toFixed(0)} ms, unpaced ${unpaced.median.toFixed(0)} ms`).to.be.below(400);
    expect(unpaced.median, `unpaced median ${unpaced.median.toFixed(0)} ms against paced ${paced.median.toFixed(0)} ms`).to.be.greaterThan(2 * paced.median);
  });
});
