/**
 * What an MConnection makes only on first use (a channel's sender and the outbound scheduler,
 * a channel's stream of messages, the keepalive events) behaves as if it had been there from the
 * start.
 */
import { expect } from "chai";
import { map } from "rxjs";
import { PingFloodError } from "../../../src/errors.js";
import type { CloseReason } from "../../../src/mconn/close-reason.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const channels = [
  { id: 1, priority: 1, sendQueueCapacity: 1 },
  { id: 2, priority: 2, sendQueueCapacity: 1 },
];
const config = { pingInterval: 50, pongTimeout: 20, sendTimeout: 30, closeTimeout: 40, sendRate: 0, recvRate: 0, pacingTargetDelay: 0 };
const msg = (channelId: number, data: string) => encodeBatch([{ type: "msg", channelId, eof: true, data: hex(data) }]);
const asHex = map((m: Uint8Array) => Buffer.from(m).toString("hex"));

describe("MConnection parts made on first use (marble)", () => {
  it("a channel first asked for after start gets the messages that arrive from then on; one asked for after the end completes at once", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, flush }) => {
      const incoming = hot<Uint8Array>("5ms a 9ms b 9ms c 4ms |", { a: msg(1, "aa"), b: msg(1, "bb"), c: msg(2, "cc") });
      const conn = new MConnection(new FakeDuplex(incoming, ts), { channels, config });
      conn.start();
      const late: string[] = [];
      cold("10ms x").subscribe(() => conn.channel(1).messages$.pipe(asHex).subscribe({ next: (m) => late.push(m), complete: () => late.push("|") }));
      expectObservable(conn.channel(2).messages$.pipe(asHex)).toBe("25ms c 4ms |", { c: "cc" });
      flush();
      expect(late).to.deep.equal(["bb", "|"]);
      expect(conn.closeReason).to.deep.equal({ kind: "remote-closed" });
      const after: string[] = [];
      conn.channel(1).messages$.subscribe({ next: () => after.push("message"), complete: () => after.push("|") });
      expect(after).to.deep.equal(["|"]);
      expect(conn.status().map((s) => s.receivedMessages)).to.deep.equal([2, 1]);
    });
  });

  it("the first send after a long idle spell leaves at once, and recentlySent decays in periods counted from the connection's start", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      // No ping within the idle spell; the decay's period is 2 s (the default).
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 600_000, pongTimeout: 45_000 } });
      conn.start();
      let first = 0;
      let after: ReturnType<MConnection["status"]> = [];
      // 5 min idle, then a send at 301.5 s; the next at 302.1 s, past the period boundary at
      // 302 s counted from the start (a count from the first send would put it at 303.5 s).
      cold("301500ms a 599ms b 9ms c").subscribe((v) => {
        if (v === "a") {
          expect(conn.status()[1].recentlySent).to.equal(0);
          expect(conn.trySend(2, new Uint8Array(100))).to.equal(true);
        } else if (v === "b") {
          first = conn.status()[1].recentlySent;
          expect(conn.trySend(1, hex("01"))).to.equal(true);
        } else after = conn.status();
      });
      flush();
      expect(duplex.writes.map((w) => w.at).filter((at) => at < 600_000)).to.deep.equal([301_500, 302_100]);
      expect(first).to.be.greaterThan(100);
      const [one, two] = after;
      expect(two.recentlySent).to.equal(Math.floor(first * 0.8));
      expect(one.recentlySent).to.be.greaterThan(0);
      expect([one.sentMessages, two.sentMessages, one.dropped, two.dropped]).to.deep.equal([1, 1, 0, 0]);
      conn.abort(new PingFloodError("over"));
    });
  });

  it("a connection idle long after traffic sends on as before: counters go on, recentlySent starts again from 0", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      // their pings at 100 s and 200 s (each answered by a flush of ours); no ping of ours meanwhile
      const incoming = hot<Uint8Array>("100s p 99999ms p", { p: hex("020a00") });
      const duplex = new FakeDuplex(incoming, ts);
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 150_000, pongTimeout: 45_000 } });
      conn.start();
      const status: ReturnType<MConnection["status"]>[] = [];
      cold("a 200999ms b 9ms c").subscribe((v) => {
        if (v === "c") status.push(conn.status());
        else expect(conn.trySend(2, hex(v === "a" ? "aa" : "bbbb"))).to.equal(true);
      });
      flush();
      expect(duplex.writes.filter((w) => w.at <= 201_010)).to.deep.equal([
        { at: 0, hex: "091a07080210011a01aa" },
        { at: 100_000, hex: "021200" },
        { at: 200_000, hex: "021200" },
        { at: 201_000, hex: "0a1a08080210011a02bbbb" },
      ]);
      const two = status[0][1];
      expect([two.sentMessages, two.sentBytes, two.recentlySent, two.queued, two.pendingBytes]).to.deep.equal([2, 3, 11, 0, 0]);
      conn.abort(new PingFloodError("over"));
    });
  });

  it("close() and abort() before anything was sent or received end as usual; every counter is zero and later sends are refused", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const closing = new MConnection(new FakeDuplex(hot<Uint8Array>("-----|"), ts), { channels, config });
      closing.start();
      void closing.close();
      expectObservable(closing.ended$).toBe("-----(r|)", { r: { kind: "closed" } satisfies CloseReason });
      const aborted = new MConnection(new FakeDuplex(hot<Uint8Array>("-"), ts), { channels, config });
      aborted.start();
      const error = new PingFloodError("test");
      aborted.abort(error);
      expectObservable(aborted.ended$).toBe("(r|)", { r: { kind: "error", error } satisfies CloseReason });
      expectObservable(aborted.channel(2).messages$).toBe("|");
      expectObservable(aborted.messages$).toBe("|");
      expectObservable(aborted.keepalive$).toBe("|");
      flush();
      for (const conn of [closing, aborted]) {
        expect(conn.trySend(1, hex("01"))).to.equal(false);
        expect(conn.hold(2, hex("02"))).to.equal(false);
        expect(conn.status()).to.deep.equal(
          channels.map((c) => ({ id: c.id, priority: c.priority, queued: 0, pendingBytes: 0, recentlySent: 0, sentBytes: 0, sentMessages: 0, receivedBytes: 0, receivedMessages: 0, dropped: 0 })),
        );
      }
    });
  });

  it("a send waiting for room when the connection closes is answered false, on the channel that has a sender only", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false; // the transport never drains
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 1000, pongTimeout: 500 } });
      conn.start();
      const answers: boolean[] = [];
      const queued: number[][] = [];
      // 01 is written at 0 (the duplex is full then); 02 fills the one-message queue at 1; 03
      // waits for room from 2; the connection closes at 3.
      cold("ab-c").subscribe((v) => {
        if (v === "a") expect(conn.trySend(1, hex("01"))).to.equal(true);
        else if (v === "b") {
          expect(conn.trySend(1, hex("02"))).to.equal(true);
          conn.queue(1, hex("03")).subscribe((ok) => answers.push(ok));
        } else {
          expect(answers).to.deep.equal([]);
          void conn.close();
          expect(answers).to.deep.equal([false]);
          queued.push(conn.status().map((s) => s.queued));
        }
      });
      flush();
      expect(queued).to.deep.equal([[1, 0]]);
    });
  });

  it("keepalive$ subscribed after start reports from then on", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      // their pings at 10 and 30 (answered at once); silence, so we ping at 80; their pong at 85
      const incoming = hot<Uint8Array>("10ms p 19ms p 54ms o", { p: hex("020a00"), o: hex("021200") });
      const conn = new MConnection(new FakeDuplex(incoming, ts), { channels, config });
      const events: string[] = [];
      cold("20ms x").subscribe(() => conn.keepalive$.subscribe({ next: (e) => events.push(`${e.type}@${e.at}`), complete: () => events.push("complete") }));
      conn.start();
      ts.schedule(() => conn.abort(new PingFloodError("test")), 100);
      flush();
      expect(events).to.deep.equal(["ping-received@30", "pong-sent@30", "ping-sent@80", "pong-received@85", "complete"]);
    });
  });
});
