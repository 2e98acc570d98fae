import { expect } from "chai";
import { mergeMap } from "rxjs";
import { TransportError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { MemoryBudget } from "../../../src/mconn/memory-budget.js";
import { FakeDuplex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const config = { pingInterval: 1000, pongTimeout: 500, sendTimeout: 30, sendRate: 0, recvRate: 0 };
const channels = [{ id: 1, sendQueueCapacity: 10 }];
const bytes = (n: number) => new Uint8Array(n);

describe("MConnection send queues and the memory budget (marble)", () => {
  it("charges queued bytes to the connection's account until they are written; past its share trySend drops and send waits for room", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, flush }) => {
      // the connection's floor (4 KiB: one channel) plus half of what is left (5000): 9096; the other may hold 5000
      const budget = new MemoryBudget(14_096);
      const other = budget.account();
      other.reserve(4000);
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, memoryBudget: budget });
      conn.start();
      duplex.writeReturns = false; // the first write fills the transport: queued messages stay queued
      expect(conn.trySend(1, bytes(1000))).to.equal(true); // cut and written at the end of the turn
      cold("-a").subscribe(() => {
        expect(budget.used, "the written message is given back").to.equal(4000);
        expect(conn.trySend(1, bytes(3000))).to.equal(true);
        expect(conn.trySend(1, bytes(3000))).to.equal(true);
        expect(conn.trySend(1, bytes(4000)), "10000 is past the share of 9096").to.equal(false);
        expect(conn.trySend(1, bytes(3000))).to.equal(true);
        expect(budget.used).to.equal(13_000);
      });
      // a send that finds no room waits: it is queued once the transport drains and the queue is written
      expectObservable(cold("--x|").pipe(mergeMap(() => conn.queue(1, bytes(2500))))).toBe("----- (t|)", { t: true });
      cold("-----a").subscribe(() => {
        duplex.writeReturns = true;
        duplex.drains.next();
      });
      // one that never finds room times out, counted as a drop
      expectObservable(cold("10ms x|").pipe(mergeMap(() => conn.queue(1, bytes(9500))))).toBe("40ms (f|)", { f: false });
      cold("45ms a").subscribe(() => {
        expect(conn.status()[0].dropped, "the trySend and the send that timed out").to.equal(2);
        expect(budget.used, "everything written is given back").to.equal(4000);
        conn.abort(new TransportError("over"));
      });
      flush();
      expect(budget.used, "the ended connection holds nothing").to.equal(4000);
    });
  });

  it("a send waiting for memory is queued as soon as the connection's own queued bytes are written", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const budget = new MemoryBudget(10_000);
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config, memoryBudget: budget });
      conn.start();
      duplex.writeReturns = false;
      expect(conn.trySend(1, bytes(1000))).to.equal(true); // written
      cold("-a").subscribe(() => expect(conn.trySend(1, bytes(9000))).to.equal(true)); // holds 9000 of 10000
      // 2000 more do not fit until the 9000 are written (at the drain, 4 ms later)
      expectObservable(cold("--x|").pipe(mergeMap(() => conn.queue(1, bytes(2000))))).toBe("------ (t|)", { t: true });
      cold("------a").subscribe(() => {
        duplex.writeReturns = true;
        duplex.drains.next();
      });
      cold("20ms a").subscribe(() => conn.abort(new TransportError("over")));
    });
  });
});
