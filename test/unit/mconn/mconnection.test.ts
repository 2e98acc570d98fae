import { expect } from "chai";
import { map, mergeMap } from "rxjs";
import { MessageTooLargeError, PingFloodError, PongTimeoutError, UnknownChannelError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import type { CloseReason } from "../../../src/mconn/close-reason.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { PING } from "../../../src/wire/packet.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const channels = [
  { id: 1, priority: 1, sendQueueCapacity: 1, recvMessageCapacity: 100 },
  { id: 2, priority: 2, sendQueueCapacity: 1 },
];
// Pacing off: these tests assert every byte written, and pacing adds probe pings (tested in delay-pacer and pacing tests).
const config = { pingInterval: 50, pongTimeout: 20, sendTimeout: 30, closeTimeout: 40, sendRate: 0, recvRate: 0, pacingTargetDelay: 0 };
const msg = (channelId: number, data: string, eof = true) => encodeBatch([{ type: "msg", channelId, eof, data: hex(data) }]);

describe("MConnection (marble)", () => {
  it("pings after pingInterval of silence and ends with PongTimeoutError when nothing answers", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      expectObservable(conn.ended$).toBe("70ms (r|)", { r: { kind: "error", error: new PongTimeoutError(20) } });
      expectObservable(conn.channel(1).messages$).toBe("70ms |");
      flush();
      expect(duplex.writes).to.deep.equal([{ at: 50, hex: "020a00" }]);
      expect(duplex.events).to.deep.equal(["destroy@70"]);
    });
  });

  it("answers every ping with a pong at once, and any packet counts as a sign of life", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const incoming = hot<Uint8Array>("10ms p 29ms m 29ms p |", { p: hex("020a00"), m: msg(1, "aa") });
      const duplex = new FakeDuplex(incoming, ts);
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      flush();
      // pongs at 10 and 70; no ping of ours: something arrived every < 50 ms
      expect(duplex.writes).to.deep.equal([
        { at: 10, hex: "021200" },
        { at: 70, hex: "021200" },
      ]);
      expect(conn.closeReason).to.deep.equal({ kind: "remote-closed" });
    });
  });

  it("reports keepalive traffic on keepalive$, with the scheduler's time", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      // their ping at 10 (we answer at once); silence, so we ping at 60; their pong at 71
      const incoming = hot<Uint8Array>("10ms p 60ms o", { p: hex("020a00"), o: hex("021200") });
      const conn = new MConnection(new FakeDuplex(incoming, ts), { channels, config });
      const events: string[] = [];
      conn.keepalive$.subscribe({ next: (e) => events.push(`${e.type}@${e.at}`), complete: () => events.push("complete") });
      conn.start();
      ts.schedule(() => conn.abort(new PingFloodError("test")), 100);
      flush();
      expect(events).to.deep.equal(["ping-received@10", "pong-sent@10", "ping-sent@60", "pong-received@71", "complete"]);
    });
  });

  it("a peer closing in the middle of a message ends the connection with TruncatedError, delivering nothing of it", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const incoming = hot<Uint8Array>("5ms a 4ms b 4ms |", { a: msg(2, "aa"), b: msg(1, "bb", false) });
      const conn = new MConnection(new FakeDuplex(incoming, ts), { channels, config });
      expectObservable(conn.channel(1).messages$).toBe("15ms |");
      expectObservable(conn.channel(2).messages$.pipe(map((m) => Buffer.from(m).toString("hex")))).toBe("5ms a 9ms |", { a: "aa" });
      expectObservable(conn.ended$.pipe(map((r) => (r.kind === "error" ? r.error.constructor.name : r.kind)))).toBe("15ms (t|)", { t: "TruncatedError" });
      conn.start();
    });
  });

  it("drops a peer that floods pings", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const incoming = hot<Uint8Array>("-p", { p: encodeBatch(new Array(11).fill(PING)) });
      const conn = new MConnection(new FakeDuplex(incoming, ts), { channels, config: { ...config, pingBurst: 10, maxPingRate: 1 } });
      conn.start();
      expectObservable(conn.ended$).toBe("-(r|)", {
        r: { kind: "error", error: new PingFloodError("10 at once, 1 per second") },
      });
    });
  });

  it("ends with a typed error on an unknown channel or an oversized message", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const unknown = new MConnection(new FakeDuplex(hot<Uint8Array>("--u", { u: msg(9, "01") }), ts), { channels, config });
      const big = new MConnection(
        new FakeDuplex(hot<Uint8Array>("-a-b", { a: msg(1, "00".repeat(60), false), b: msg(1, "00".repeat(41)) }), ts),
        { channels, config },
      );
      const delivered: Uint8Array[] = [];
      big.channel(1).messages$.subscribe((m) => delivered.push(m));
      unknown.start();
      big.start();
      expectObservable(unknown.ended$).toBe("--(r|)", { r: { kind: "error", error: new UnknownChannelError(9) } });
      expectObservable(big.ended$).toBe("---(r|)", { r: { kind: "error", error: new MessageTooLargeError(1, 101, 100) } });
      ts.flush();
      expect(delivered).to.deep.equal([]);
    });
  });

  it("coalesces sends made in one turn into one write; a lone message leaves at once", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 1000, pongTimeout: 500 } });
      conn.start();
      cold("a 9ms b").subscribe((v) => {
        if (v === "a") {
          expect(conn.trySend(1, hex("01"))).to.equal(true);
          expect(conn.trySend(2, hex("0202"))).to.equal(true);
        } else expect(conn.trySend(1, hex("03"))).to.equal(true);
      });
      flush();
      expect(duplex.writes.filter((w) => w.at < 1000)).to.deep.equal([
        // channel 1 (tie, declared first), then channel 2, in one write at 0 ms
        { at: 0, hex: "091a07080110011a0101" + "0a1a08080210011a020202" },
        { at: 10, hex: "091a07080110011a0103" },
      ]);
    });
  });

  it("send waits for room and resolves false after sendTimeout; trySend answers false at once", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false; // the transport never drains
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 1000, pongTimeout: 500 } });
      conn.start();
      // m1 is written at 0 (then the duplex is full); m2 fills the one-message queue at 1;
      // at 2 trySend is refused at once and send waits, giving up 30 ms later.
      expectObservable(conn.queue(1, hex("01"))).toBe("(t|)", { t: true });
      expectObservable(cold("-x|").pipe(mergeMap(() => conn.queue(1, hex("02"))))).toBe("-t|", { t: true });
      cold("--x").subscribe(() => expect(conn.trySend(1, hex("03"))).to.equal(false));
      expectObservable(cold("--x|").pipe(mergeMap(() => conn.queue(1, hex("04"))))).toBe("32ms (f|)", { f: false });
    });
  });

  it("send is admitted as soon as the queue has room again", () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false;
      const conn = new MConnection(duplex, { channels, config: { ...config, pingInterval: 1000, pongTimeout: 500 } });
      conn.start();
      conn.queue(1, hex("01")).subscribe(); // written at 0
      cold("-a").subscribe(() => conn.queue(1, hex("02")).subscribe()); // queued at 1
      cold("12ms d").subscribe(() => duplex.drains.next()); // the transport drains at 12 ms
      expectObservable(cold("--x|").pipe(mergeMap(() => conn.queue(1, hex("03"))))).toBe("12ms (t|)", { t: true });
    });
  });

  it("close() flushes what is queued, half-closes, and ends as closed when the peer closes", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const incoming = hot<Uint8Array>("-----|");
      const duplex = new FakeDuplex(incoming, ts);
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      expect(conn.trySend(2, hex("aa"))).to.equal(true);
      void conn.close();
      expect(conn.trySend(2, hex("bb"))).to.equal(false);
      expectObservable(conn.ended$).toBe("-----(r|)", { r: { kind: "closed" } satisfies CloseReason });
      flush();
      expect(duplex.writes.map((w) => w.hex)).to.deep.equal(["091a07080210011a01aa"]);
      expect(duplex.events).to.deep.equal(["end@0", "destroy@5"]);
    });
  });

  it("close() gives up flushing after closeTimeout when the transport stays full", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      duplex.writeReturns = false;
      const conn = new MConnection(duplex, { channels, config });
      conn.start();
      conn.trySend(1, new Uint8Array(3000));
      void conn.close();
      expectObservable(conn.ended$).toBe("40ms (r|)", { r: { kind: "closed" } });
    });
  });

  it("paces outbound bytes to sendRate", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const duplex = new FakeDuplex(hot<Uint8Array>("-"), ts);
      // 20 000 B/s: a burst of 2 000 B (100 ms worth), then ~20 B per ms
      const conn = new MConnection(duplex, {
        channels: [{ id: 1, sendQueueCapacity: 10 }],
        config: { ...config, pingInterval: 10_000, pongTimeout: 5000, sendRate: 20_000, batchSize: 1 },
      });
      conn.start();
      for (let i = 0; i < 4; i++) conn.trySend(1, new Uint8Array(1000));
      flush();
      const at = duplex.writes.map((w) => w.at);
      // The first write spends the burst; each later one waits for the budget to refill.
      expect(at[0]).to.equal(0);
      expect(at.length).to.be.greaterThan(1);
      const totalBytes = duplex.writes.reduce((s, w) => s + w.hex.length / 2, 0);
      const lastAt = at[at.length - 1];
      // bytes beyond the burst must have taken at least (bytes - burst) / rate seconds
      expect(lastAt).to.be.at.least(Math.floor(((totalBytes - 2000 - 1100) / 20_000) * 1000));
    });
  });
});
