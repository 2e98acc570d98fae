import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { tcpPair } from "../helpers/tcp.js";

const config = { sendRate: 0, recvRate: 0 };

/** A process that accepts one connection on 127.0.0.1 and reads and discards everything. */
async function startSink(): Promise<{ port: number; child: ChildProcess }> {
  const script =
    "const s = require('net').createServer((c) => c.resume()); s.listen(0, '127.0.0.1', () => console.log(s.address().port));" +
    "process.stdin.on('end', () => process.exit(0)); process.stdin.resume();";
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return { port: Number(line.toString().trim()), child };
}

/** A message carrying its send time. */
const stamped = () => {
  const m = new Uint8Array(64);
  new DataView(m.buffer).setFloat64(0, performance.now());
  return m;
};
const sentAt = (m: Uint8Array) => new DataView(m.buffer, m.byteOffset, m.byteLength).getFloat64(0);

describe("MConnection fairness on real sockets", function () {
  this.timeout(30_000);

  it("while one connection saturates its socket (rate limits off), a 10 ms timer fires and another connection's small messages get through", async () => {
    const sink = await startSink();
    const socket = connect(sink.port, "127.0.0.1");
    await once(socket, "connect");
    // Pacing off: the sink is a plain socket that never answers the probe pings pacing sends.
    const bulk = new MConnection(socketDuplex(socket), { channels: [{ id: 1, sendQueueCapacity: 4 }], config: { ...config, pacingTargetDelay: 0 } });
    bulk.start();
    const pair = await tcpPair();
    const a = new MConnection(socketDuplex(pair.client), { channels: [{ id: 2 }], config });
    const b = new MConnection(socketDuplex(pair.server), { channels: [{ id: 2 }], config });
    const received: { sentAt: number; latency: number }[] = [];
    b.channel(2).messages$.subscribe((m) => received.push({ sentAt: sentAt(m), latency: performance.now() - sentAt(m) }));
    a.start();
    b.start();
    try {
      // The bulk sender: 64 KiB messages as fast as `send()` admits them, for one second.
      const payload = new Uint8Array(64 * 1024);
      const saturationEnds = performance.now() + 1000;
      let bulkMessages = 0;
      const saturating = (async () => {
        while (performance.now() < saturationEnds && (await bulk.send(1, payload))) bulkMessages++;
      })();
      const timerDelay = await new Promise<number>((resolve) => {
        const t0 = performance.now();
        setTimeout(() => resolve(performance.now() - t0), 10);
      });
      // Small messages every 10 ms on the other connection while the bulk one saturates.
      while (performance.now() < saturationEnds - 100) {
        a.trySend(2, stamped());
        await sleep(10);
      }
      await saturating;
      await sleep(100);
      const duringSaturation = received.filter((r) => r.sentAt < saturationEnds);
      expect(bulkMessages, "the bulk connection did saturate (64 KiB messages sent)").to.be.above(50);
      expect(timerDelay, "a 10 ms timer set while saturating fires within 250 ms").to.be.below(250);
      expect(duringSaturation.length, "small messages delivered while the bulk connection saturates").to.be.at.least(10);
      expect(Math.max(...duringSaturation.map((r) => r.latency)), "latency of every small message").to.be.below(250);
    } finally {
      await Promise.all([a.close(), bulk.close()]);
      socket.destroy();
      await pair.close();
      sink.child.stdin!.end();
      await once(sink.child, "exit");
    }
  });
});
