import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
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

describe("MConnection fairness on real sockets", function () {
  this.timeout(60_000);

  it("while one connection saturates its socket (rate limits off), a 10 ms timer fires and another connection's small messages make 20 round trips", async () => {
    const sink = await startSink();
    const socket = connect(sink.port, "127.0.0.1");
    await once(socket, "connect");
    // Pacing off: the sink is a plain socket that never answers the probe pings pacing sends.
    const bulk = new MConnection(socketDuplex(socket), { channels: [{ id: 1, sendQueueCapacity: 4 }], config: { ...config, pacingTargetDelay: 0 } });
    bulk.start();
    const pair = await tcpPair();
    const a = new MConnection(socketDuplex(pair.client), { channels: [{ id: 2 }], config });
    const b = new MConnection(socketDuplex(pair.server), { channels: [{ id: 2 }], config });
    a.start();
    b.start();
    try {
      // The bulk sender: 64 KiB messages as fast as `send()` admits them (its queue is always
      // full), until the other connection is done or 4000 messages (256 MiB) have gone. Counts
      // of events, not clock readings: the outcome is the same on a fast machine and a slow one.
      const payload = new Uint8Array(64 * 1024);
      const cap = 4000;
      const control = { stop: false };
      let bulkMessages = 0;
      const saturating = (async () => {
        while (!control.stop && bulkMessages < cap && (await bulk.send(1, payload))) bulkMessages++;
      })();
      const bulk$ = { running: true };
      void saturating.then(() => (bulk$.running = false));
      const timerFired = new Promise<boolean>((resolve) => setTimeout(() => resolve(bulk$.running), 10));
      // A chain of small messages on the other connection: each arrival sends the next.
      let roundTrips = 0;
      let duringSaturation = 0;
      const chained = new Promise<void>((resolve) => {
        b.channel(2).messages$.subscribe(() => {
          roundTrips++;
          if (bulk$.running) duringSaturation++;
          if (roundTrips >= 20) resolve();
          else a.trySend(2, new Uint8Array(64));
        });
      });
      a.trySend(2, new Uint8Array(64));
      const firedWhileSaturating = await timerFired;
      await Promise.race([chained, saturating]);
      control.stop = true;
      await saturating;
      expect(firedWhileSaturating, "the 10 ms timer fired while the bulk connection was sending").to.equal(true);
      expect(duringSaturation, "round trips of small messages completed while the bulk connection saturates").to.equal(20);
      expect(bulkMessages, "the bulk connection never ran out of room before the small messages were through").to.be.below(cap);
    } finally {
      await Promise.all([a.close(), bulk.close()]);
      socket.destroy();
      await pair.close();
      sink.child.stdin!.end();
      await once(sink.child, "exit");
    }
  });
});
