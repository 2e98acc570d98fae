import { expect } from "chai";
import { map, mergeMap, take, type Subscription } from "rxjs";
import { TransportError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { connectedPeers } from "../../../src/testing/index.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const config = { pingInterval: 1000, pongTimeout: 500, sendTimeout: 30, sendRate: 0, recvRate: 0 };
const channels = [
  { id: 1, sendQueueCapacity: 1 },
  { id: 2, sendQueueCapacity: 1 },
];
const droppedOf = (conn: MConnection) => conn.status().map((c) => [c.id, c.dropped]);

describe("MConnection drops (marble)", () => {
  it("counts per channel every trySend refused by a full queue and every send that timed out; not a withdrawn send, nor one refused after the end", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false; // the transport never drains: queues stay full
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      conn.queue(1, hex("01")).subscribe(); // written at 0, then the duplex is full
      cold("-a").subscribe(() => {
        expect(conn.trySend(1, hex("02"))).to.equal(true); // fills the queue
        expect(conn.trySend(1, hex("03"))).to.equal(false); // drop 1 on channel 1
        expect(conn.trySend(1, hex("04"))).to.equal(false); // drop 2 on channel 1
      });
      // A send on channel 1 that times out (drop 3) and one withdrawn before its timeout (no drop).
      expectObservable(cold("--x|").pipe(mergeMap(() => conn.queue(1, hex("05"))))).toBe("32ms (f|)", { f: false });
      let withdrawn: Subscription | undefined;
      cold("--x").subscribe(() => (withdrawn = conn.queue(1, hex("06")).subscribe()));
      cold("10ms x").subscribe(() => withdrawn!.unsubscribe());
      cold("50ms x").subscribe(() => {
        expect(droppedOf(conn)).to.deep.equal([
          [1, 3],
          [2, 0],
        ]);
        conn.abort(new TransportError("over"));
        expect(conn.trySend(2, hex("08"))).to.equal(false); // not running: not a drop
      });
      flush();
      expect(droppedOf(conn)).to.deep.equal([
        [1, 3],
        [2, 0],
      ]);
    });
  });

  it("a peer's status$ reports the drops of each channel", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 1 }], scheduler: ts });
      expect(a.trySend(1, hex("01"))).to.equal(true);
      expect(a.trySend(1, hex("02"))).to.equal(false);
      expectObservable(a.status$(10, ts).pipe(take(2), map((s) => s.channels.map((c) => c.dropped).join(",")))).toBe("x 9ms (x|)", { x: "1" });
      ts.schedule(() => void b.connection.close(), 20);
    });
  });
});
