import { expect } from "chai";
import { finalize, interval, map, Subject, takeUntil, throwError, concat, of } from "rxjs";
import sinon from "sinon";
import { PeerEndedError, SendSourceError } from "../../../src/p2p/errors.js";
import type { Dropped } from "../../../src/p2p/peer.js";
import { connectedPeers } from "../../../src/testing/index.js";
import { testScheduler } from "../../helpers/marbles.js";

const byte = (i: number) => Uint8Array.of(i & 0xff);

describe("Peer.sendFrom and send$: sending with the peer's lifetime", () => {
  it("unsubscribes an Observable source when the peer ends: nothing is produced after the end", () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const [, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 5 }], scheduler: ts });
      b.connection.channel(1).messages$.subscribe();
      let produced = 0;
      const torn = sinon.spy();
      const sending = b.sendFrom(interval(1, ts).pipe(map((i) => (produced++, byte(i))), finalize(torn)), 1);
      ts.schedule(() => void b.connection.close(), 10);
      flush();
      const atEnd = produced;
      ts.schedule(() => undefined, 100);
      flush();
      expect(torn.calledOnce).to.equal(true);
      expect(sending.closed).to.equal(true);
      expect(produced).to.equal(atEnd);
      expect(produced).to.be.lessThan(12);
    });
  });

  it("each source piped into send$ is its own subscription: torn down when it completes, send$ open for the next; takeUntil(ended$) ends one with the peer", () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const [a, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 50 }], scheduler: ts });
      const got: number[] = [];
      a.connection.channel(1).messages$.subscribe((m) => got.push(m[0]));
      const completedTorn = sinon.spy();
      const first = of(7).pipe(map((i) => ({ channelId: 1, message: byte(i) })), finalize(completedTorn)).subscribe(b.send$);
      expect(completedTorn.calledOnce).to.equal(true); // released at completion, not at the peer's end
      expect(first.closed).to.equal(true);
      const torn = sinon.spy();
      interval(1, ts)
        .pipe(map((i) => ({ channelId: 1, message: byte(i) })), finalize(torn), takeUntil(b.ended$))
        .subscribe(b.send$);
      ts.schedule(() => void b.connection.close(), 5);
      flush();
      expect(torn.calledOnce).to.equal(true);
      expect(got).to.deep.equal([7, 0, 1, 2, 3]);
    });
  });

  it("a source still piped into send$ after the peer ended is said once on errors$ (PeerEndedError)", () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const [, b] = connectedPeers({ channels: [{ id: 1 }], scheduler: ts });
      const reported = sinon.spy();
      b.errors$.subscribe(reported);
      const late = new Subject<{ channelId: number; message: Uint8Array }>();
      late.subscribe(b.send$);
      void b.connection.close();
      flush();
      late.next({ channelId: 1, message: byte(1) });
      late.next({ channelId: 1, message: byte(2) });
      expect(reported.callCount).to.equal(1);
      expect(reported.firstCall.args[0]).to.be.instanceOf(PeerEndedError);
    });
  });

  it("reports the source's error on errors$ (SendSourceError with the cause and the peer) and keeps the peer", () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const [, b] = connectedPeers({ channels: [{ id: 1 }], scheduler: ts });
      const reported = sinon.spy();
      b.errors$.subscribe(reported);
      const cause = new Error("source broke");
      const sending = b.sendFrom(concat(of(byte(1)), throwError(() => cause)), 1);
      expect(reported.calledOnce).to.equal(true);
      const err = reported.firstCall.args[0] as SendSourceError;
      expect(err).to.be.instanceOf(SendSourceError);
      expect(err.cause).to.equal(cause);
      expect(err.peer.id).to.equal(b.id);
      expect(sending.closed).to.equal(true);
      expect(b.isRunning).to.equal(true);
      const viaSend = new Subject<{ channelId: number; message: Uint8Array }>();
      viaSend.subscribe(b.send$);
      viaSend.error(cause);
      expect(reported.calledTwice).to.equal(true);
      void b.connection.close();
      flush();
    });
  });

  it("an iterable is pulled only as the queue takes it: 2,000 messages through a queue of 1, in order, never more than one held", async () => {
    const [a, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 1 }] });
    const got: number[] = [];
    const all = new Promise<void>((resolve) =>
      a.connection.channel(1).messages$.subscribe((m) => {
        if (got.push(m[0]) === 2000) resolve();
      }),
    );
    let pulled = 0;
    let maxAhead = 0;
    const sent = () => b.connection.status()[0].sentMessages;
    function* source() {
      for (let i = 0; i < 2000; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - sent());
        yield byte(i);
      }
    }
    const sending = b.sendFrom(source(), 1);
    await all;
    expect(got).to.deep.equal(Array.from({ length: 2000 }, (_, i) => i & 0xff));
    // pulled but not yet cut into packets: the one in the queue, the one being sent, the one pulled
    expect(maxAhead).to.be.at.most(3);
    expect(sending.closed).to.equal(true);
    await b.connection.close();
  });

  it("an Observable pushing faster than the peer takes: held within sendBufferSize bytes and delivered in order, the rest on dropped$ (buffer-full)", () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const [a, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 1 }], scheduler: ts, config: { sendBufferSize: 4 } });
      const got: number[] = [];
      a.connection.channel(1).messages$.subscribe((m) => got.push(m[0]));
      const dropped = sinon.spy();
      b.dropped$.subscribe(dropped);
      const burst = new Subject<Uint8Array>();
      b.sendFrom(burst, 1);
      for (let i = 0; i < 20; i++) burst.next(byte(i));
      // 1 queued at once, 4 held (4 bytes), 15 reported
      expect(dropped.callCount).to.equal(15);
      expect((dropped.firstCall.args[0] as Dropped).reason).to.equal("buffer-full");
      expect((dropped.firstCall.args[0] as Dropped).message[0]).to.equal(5);
      ts.schedule(() => void b.connection.close(), 5);
      flush();
      expect(got).to.deep.equal([0, 1, 2, 3, 4]);
      expect(b.connection.status()[0].dropped).to.equal(15);
    });
  });

  it("queue() and send() after the peer ended fail asynchronously with PeerEndedError (a repeat loop stops, no recursion)", async () => {
    const [, b] = connectedPeers({ channels: [{ id: 1 }] });
    await b.connection.close();
    let errored = false;
    const failed = new Promise<unknown>((resolve) =>
      b.queue(1, byte(1)).subscribe({
        error: (e: unknown) => {
          errored = true;
          resolve(e);
        },
      }),
    );
    expect(errored).to.equal(false); // not within subscribe
    const err = await failed;
    expect(err).to.be.instanceOf(PeerEndedError);
    expect((err as PeerEndedError).peer.id).to.equal(b.id);
    const rejected = await b.send(1, byte(1)).catch((e: unknown) => e);
    expect(rejected).to.be.instanceOf(PeerEndedError);
  });
});
