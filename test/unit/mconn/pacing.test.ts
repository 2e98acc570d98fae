import { expect } from "chai";
import { TransportError, WriteStallError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const PING = "020a00";
const PONG = hex("021200");
const MiB = 1 << 20;
const config = { sendRate: 0, recvRate: 0, pingInterval: 10_000, pongTimeout: 5000, pacingTargetDelay: 5 };
const channels = [{ id: 1, sendQueueCapacity: 4, recvMessageCapacity: 4 * MiB }];
const bytesOf = (writes: { hex: string }[]) => writes.reduce((n, w) => n + w.hex.length / 2, 0);

describe("MConnection pacing (marble)", () => {
  it("writes up to its window, follows the first write with a probe ping, and waits for the pong to write more", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      // The peer answers the probe at 20 ms.
      const duplex = new FakeDuplex(hot<Uint8Array>("20ms p", { p: PONG }), ts);
      const conn = new MConnection(duplex, { channels, config, flushScheduler: ts, yieldScheduler: ts });
      conn.start();
      expect(conn.trySend(1, new Uint8Array(3 * MiB))).to.equal(true);
      ts.schedule(() => {
        const before = duplex.writes.slice();
        // The first window (1 MiB) is written, a little over with the last whole write.
        expect(bytesOf(before)).to.be.within(MiB, MiB + 70_000);
        expect(before[0].hex.endsWith(PING), "a probe follows the first write").to.equal(true);
        expect(before.slice(1).some((w) => w.hex.includes(PING)), "one probe out at a time").to.equal(false);
      }, 19);
      flush();
      const after = duplex.writes.filter((w) => w.at >= 20);
      expect(after.length, "writing resumed on the pong").to.be.greaterThan(0);
      // Everything arrives in the end: the window grew on the quick pong, and more pongs are not
      // needed past the probe timeout.
      expect(bytesOf(duplex.writes)).to.be.greaterThan(3 * MiB);
      conn.abort(new TransportError("done"));
    });
  });

  it("with pacingTargetDelay 0 writes everything at once, with no probe", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config: { ...config, pacingTargetDelay: 0 }, flushScheduler: ts, yieldScheduler: ts });
      conn.start();
      conn.trySend(1, new Uint8Array(3 * MiB));
      flush();
      // No pong ever comes, and nothing waits for one.
      expect(Math.max(...duplex.writes.filter((w) => w.hex !== PING).map((w) => w.at))).to.be.below(5);
      expect(duplex.writes.filter((w) => w.hex !== PING).some((w) => w.hex.endsWith(PING)), "no probe after data").to.equal(false);
      expect(bytesOf(duplex.writes)).to.be.greaterThan(3 * MiB);
      conn.abort(new TransportError("done"));
    });
  });
});

describe("MConnection pacing and a peer that reads nothing (marble)", () => {
  it("ends with WriteStallError once its probes stay unanswered for writeStallTimeout, although the socket never fills", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts); // takes every write, answers nothing
      const conn = new MConnection(duplex, { channels, config: { ...config, writeStallTimeout: 3000 }, flushScheduler: ts, yieldScheduler: ts });
      const ended: unknown[] = [];
      conn.ended$.subscribe((r) => ended.push(r));
      conn.start();
      conn.trySend(1, new Uint8Array(3 * MiB));
      flush();
      expect(ended).to.have.length(1);
      const reason = ended[0] as { kind: string; error?: unknown };
      expect(reason.kind).to.equal("error");
      expect(reason.error).to.be.instanceOf(WriteStallError);
      // The probe unanswered since 0 is given up at 1 s, 2 s, 3 s: the third reaches the timeout.
      expect(ts.now()).to.equal(3000);
    });
  });
});
