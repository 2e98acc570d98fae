import { expect } from "chai";
import { map } from "rxjs";
import { WriteStallError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const channels = [{ id: 1, sendQueueCapacity: 4 }];
const config = { pingInterval: 1000, pongTimeout: 500, sendRate: 0, recvRate: 0, writeStallTimeout: 30 };
// The peer keeps sending messages on channel 1: signs of life that must not keep a stall alive.
const chatter = encodeBatch([{ type: "msg", channelId: 1, eof: true, data: hex("ab") }]);
const reason = (r: { kind: string; error?: Error }) => (r.kind === "error" ? `${r.error!.constructor.name}: ${r.error!.message}` : r.kind);

describe("MConnection write stall (marble)", () => {
  it("ends with WriteStallError when a refused write is not drained within writeStallTimeout, whatever the peer sends", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-a 9ms a 9ms a 9ms a 9ms a", { a: chatter }), ts);
      duplex.writeReturns = false; // the peer reads nothing
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      conn.trySend(1, hex("01")); // written at 0, refused
      expectObservable(conn.ended$.pipe(map(reason))).toBe("30ms (e|)", { e: "WriteStallError: the peer took none of our writes for 30 ms" });
    });
  });

  it("a drain resets the wait: the stall is counted from the next refused write", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false;
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      conn.trySend(1, hex("01")); // refused at 0
      cold("20ms x").subscribe(() => {
        expect(conn.trySend(1, hex("02"))).to.equal(true);
        duplex.drains.next(); // progress at 20: the queued message is written (and refused) at 20
      });
      expectObservable(conn.ended$.pipe(map((r) => (r.kind === "error" && r.error instanceof WriteStallError ? "s" : r.kind)))).toBe("50ms (s|)");
    });
  });

  it("verifyConfig refuses a writeStallTimeout that is not a positive duration", () => {
    expect(() => new MConnection(new FakeDuplex(hot0(), testScheduler()), { channels, config: { writeStallTimeout: 0 } })).to.throw(/writeStallTimeout must be a positive number/);
  });
});

function hot0() {
  return testScheduler().createHotObservable<Uint8Array>("-");
}
