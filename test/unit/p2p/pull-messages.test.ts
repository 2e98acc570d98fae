import { expect } from "chai";
import { Subject } from "rxjs";
import sinon from "sinon";
import { ConfigError } from "../../../src/errors.js";
import type { Peer } from "../../../src/p2p/peer.js";
import { pullMessages } from "../../../src/p2p/pull-messages.js";
import type { Envelope } from "../../../src/p2p/reactor.js";

function fakePeer(running = true) {
  const release = sinon.spy();
  const holdReading = sinon.spy(() => release);
  const peer = { isRunning: running, connection: { holdReading } } as unknown as Peer;
  return { peer, holdReading, release };
}

/** The next envelope's message (fails when the iterator has ended). */
async function take(it: AsyncIterator<Envelope<number>>): Promise<number> {
  const r = await it.next();
  if (r.done === true) throw new Error("the iterator ended");
  return r.value.message;
}

const env = (peer: Peer, n: number): Envelope<number> => ({ peer, channelId: 1, message: n });

describe("pullMessages: a channel's messages as an async iterator with backpressure", () => {
  it("holds the reading of the peer that fills the buffer once, and releases it at half", async () => {
    const source = new Subject<Envelope<number>>();
    const a = fakePeer();
    const it = pullMessages(source, { highWaterMark: 4 });
    for (let i = 0; i < 6; i++) source.next(env(a.peer, i));
    expect(a.holdReading.calledOnce).to.equal(true);
    expect(it.buffered).to.equal(6);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) got.push(await take(it));
    expect(a.release.called).to.equal(false); // 3 left, above half
    got.push(await take(it));
    expect(a.release.calledOnce).to.equal(true); // 2 left: half
    expect(got).to.deep.equal([0, 1, 2, 3]);
  });

  it("holds every peer that delivers while the buffer is full, never one that has ended", () => {
    const source = new Subject<Envelope<number>>();
    const [a, b, gone] = [fakePeer(), fakePeer(), fakePeer(false)];
    const it = pullMessages(source, { highWaterMark: 2 });
    source.next(env(a.peer, 0));
    source.next(env(a.peer, 1));
    source.next(env(b.peer, 2));
    source.next(env(gone.peer, 3));
    expect(a.holdReading.calledOnce).to.equal(true);
    expect(b.holdReading.calledOnce).to.equal(true);
    expect(gone.holdReading.called).to.equal(false);
    expect(it.buffered).to.equal(4);
  });

  it("a pending next() is answered by the next arrival; the end comes after the buffer is drained", async () => {
    const source = new Subject<Envelope<number>>();
    const a = fakePeer();
    const it = pullMessages(source);
    const pending = take(it);
    source.next(env(a.peer, 7));
    expect(await pending).to.equal(7);
    source.next(env(a.peer, 8));
    source.complete();
    expect(await take(it)).to.equal(8);
    expect((await it.next()).done).to.equal(true);
    const waiting = pullMessages(new Subject<Envelope<number>>());
    const left = waiting.next();
    await waiting.return!();
    expect((await left).done).to.equal(true);
  });

  it("several next() calls at once are answered in order, and each is ended by completion", async () => {
    const source = new Subject<Envelope<number>>();
    const a = fakePeer();
    const it = pullMessages(source);
    const [first, second, third] = [take(it), take(it), it.next()];
    source.next(env(a.peer, 1));
    source.next(env(a.peer, 2));
    source.complete();
    expect([await first, await second]).to.deep.equal([1, 2]);
    expect((await third).done).to.equal(true);
  });

  it("return() (a break out of for await) unsubscribes and releases every hold", async () => {
    const source = new Subject<Envelope<number>>();
    const a = fakePeer();
    const it = pullMessages(source, { highWaterMark: 1 });
    source.next(env(a.peer, 0));
    expect(a.holdReading.calledOnce).to.equal(true);
    for await (const e of it) {
      expect(e.message).to.equal(0);
      break;
    }
    expect(a.release.calledOnce).to.equal(true);
    expect(source.observed).to.equal(false);
    expect((await it.next()).done).to.equal(true);
  });

  it("completing the source releases holds; a bad highWaterMark is a ConfigError at once", () => {
    const source = new Subject<Envelope<number>>();
    const a = fakePeer();
    pullMessages(source, { highWaterMark: 1 });
    source.next(env(a.peer, 0));
    source.complete();
    expect(a.release.calledOnce).to.equal(true);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => pullMessages(source, { highWaterMark: bad })).to.throw(ConfigError, /highWaterMark/);
  });
});
