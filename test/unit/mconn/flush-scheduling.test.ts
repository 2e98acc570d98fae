import { expect } from "chai";
import type { SchedulerAction, SchedulerLike } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { TransportError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { MemoryBudget } from "../../../src/mconn/memory-budget.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

/** A yield scheduler for marble tests: "the next turn of the event loop" is the next frame. */
const nextFrame = (ts: TestScheduler): SchedulerLike => ({
  now: () => ts.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) {
    return ts.schedule(work, delay + 1, state);
  },
});

// Two 1 KiB packets fill the write buffer (batches of 2 packets, 1034 bytes each on the wire).
const config = { sendRate: 0, recvRate: 0, pingInterval: 1000, pongTimeout: 500, batchSize: 2, writeBufferSize: 2000, pacingTargetDelay: 0 };
const channels = [{ id: 1, sendQueueCapacity: 10 }];
/** Packets in each write (each packet here is 1034 bytes on the wire, 1036 with eof). */
const packetsPer = (writes: { at: number; hex: string }[]) => writes.filter((w) => w.at < 1000).map((w) => `${w.at}:${Math.round(w.hex.length / 2 / 1034)}`);

describe("MConnection flush scheduling (marble)", () => {
  it("the first flush of a turn is immediate; a flush that filled its buffer continues on the next turn, one buffer per turn", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, flushScheduler: ts, yieldScheduler: nextFrame(ts) });
      conn.start();
      expect(conn.trySend(1, new Uint8Array(5 * 1024))).to.equal(true); // five packets
      flush();
      expect(packetsPer(duplex.writes)).to.deep.equal(["0:2", "1:2", "2:1"]);
    });
  });

  it("sends after a flush in the same turn wait for the next turn; the next turn's first flush is immediate again", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, flushScheduler: ts, yieldScheduler: nextFrame(ts) });
      conn.start();
      cold("a 9ms b").subscribe((v) => {
        expect(conn.trySend(1, hex("01"))).to.equal(true);
        // Queued after this turn's flush (scheduled behind it at the same frame): the next turn.
        if (v === "a") ts.schedule(() => expect(conn.trySend(1, hex("02"))).to.equal(true));
      });
      flush();
      expect(duplex.writes.filter((w) => w.at < 1000)).to.deep.equal([
        { at: 0, hex: "091a07080110011a0101" },
        { at: 1, hex: "091a07080110011a0102" },
        { at: 10, hex: "091a07080110011a0101" },
      ]);
    });
  });

  it("a send admitted during a flush (the memory it waited for was just released) is written on the next turn, not in the same one", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const budget = new MemoryBudget(3000);
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, flushScheduler: ts, yieldScheduler: nextFrame(ts), memoryBudget: budget });
      conn.start();
      // Two packets: the first flush's buffer is full as it cuts the last one and gives the 2 KiB back.
      expect(conn.trySend(1, new Uint8Array(2048))).to.equal(true);
      let admitted = false;
      conn.queue(1, new Uint8Array(1500)).subscribe((ok) => (admitted = ok)); // waits: 2048 + 1500 is past the budget
      flush();
      expect(admitted).to.equal(true);
      expect(duplex.writes.filter((w) => w.at < 1000).map((w) => w.at)).to.deep.equal([0, 1]);
    });
  });

  it("a flush waiting for the next turn is cancelled when the connection ends", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, flushScheduler: ts, yieldScheduler: nextFrame(ts) });
      conn.start();
      conn.trySend(1, new Uint8Array(5 * 1024));
      ts.schedule(() => void conn.close(), 0); // behind the first flush: closing at frame 0
      ts.schedule(() => conn.abort(new TransportError("gone")), 1); // before the turn-1 flush runs
      flush();
      expect(packetsPer(duplex.writes)).to.deep.equal(["0:2"]);
    });
  });
});
