import { expect } from "chai";
import { map } from "rxjs";
import sinon from "sinon";
import { OutboundChannel } from "../../../src/mconn/outbound-channel.js";
import { batchCutter, selectChannel } from "../../../src/mconn/next-batch.js";
import { prioritySchedule } from "../../../src/mconn/priority-schedule.js";
import { packetWireSize, type MsgPacket } from "../../../src/wire/packet.js";
import { testScheduler } from "../../helpers/marbles.js";

function channel(id: number, priority: number, capacity = 100): OutboundChannel {
  return new OutboundChannel({ id, priority, sendQueueCapacity: capacity, recvMessageCapacity: 1 << 20 }, 1024);
}

/** Fills a channel with `n` messages of `size` bytes. */
function fill(ch: OutboundChannel, n: number, size = 1024): void {
  for (let i = 0; i < n; i++) expect(ch.offer(new Uint8Array(size).fill(ch.id))).to.equal(true);
}

/** One letter per packet: the channel it came from ("a" = channel 1, "b" = 2, ...), "_" for an empty batch. */
const letters = (batch: MsgPacket[]) => (batch.length === 0 ? "_" : batch.map((p) => String.fromCharCode(96 + p.channelId)).join(""));

const opts = { batchSize: 1, decayPeriod: 2000, decayFactor: 0.8 };

describe("prioritySchedule", () => {
  it("a throwing onDequeue errors the stream with what was thrown, as RxJS's own operators do; nothing escapes", () => {
    const boom = new Error("onDequeue failed");
    const onDequeue = sinon.spy((ch: OutboundChannel) => {
      if (ch.id === 2) throw boom;
    });
    testScheduler().run(({ cold, expectObservable }) => {
      const a = channel(1, 1);
      const b = channel(2, 2);
      fill(a, 10);
      fill(b, 10);
      // a (fine), then b's first message leaves its queue: onDequeue throws → error at that pull.
      expectObservable(cold("-p-p-p-|").pipe(prioritySchedule([a, b], { ...opts, onDequeue }), map(letters))).toBe("-a-#", undefined, boom);
    });
    expect(onDequeue.callCount).to.equal(2);
  });

  it("takes each packet from the channel with the lowest recentlySent / priority", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = channel(1, 1);
      const b = channel(2, 2);
      fill(a, 10);
      fill(b, 10);
      const pulls = cold("-p-p-p-p-p-p-|");
      // a first (tie, declared first); then b until its ratio passes a's, so b gets twice a's bytes.
      expectObservable(pulls.pipe(prioritySchedule([a, b], opts), map(letters))).toBe("-a-b-b-a-b-b-|");
    });
  });

  it("gives shares proportional to priorities under saturation", () => {
    const chans = [channel(1, 1), channel(2, 2), channel(3, 5)];
    for (const ch of chans) fill(ch, 100);
    const counts = new Map<number, number>();
    testScheduler().run(({ cold }) => {
      cold("p".repeat(80) + "|")
        .pipe(prioritySchedule(chans, opts))
        .subscribe((batch) => batch.forEach((p) => counts.set(p.channelId, (counts.get(p.channelId) ?? 0) + 1)));
    });
    expect([counts.get(1), counts.get(2), counts.get(3)]).to.deep.equal([10, 20, 50]);
  });

  it("cuts batches of up to batchSize packets and answers an empty batch when all queues are empty", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = channel(1, 1);
      fill(a, 1, 3 * 1024 + 1); // four packets: 1024, 1024, 1024, 1
      const pulls = cold("-p-p-p|");
      expectObservable(pulls.pipe(prioritySchedule([a], { ...opts, batchSize: 3 }), map(letters))).toBe("-x-y-z|", {
        x: "aaa",
        y: "a",
        z: "_",
      });
    });
  });

  it("cuts messages into fragments of at most the payload size, eof on the last, and an empty message into one eof packet", () => {
    const a = channel(1, 1);
    fill(a, 1, 2500);
    fill(a, 1, 0);
    const packets: MsgPacket[] = [];
    testScheduler().run(({ cold }) => {
      cold("p|")
        .pipe(prioritySchedule([a], { ...opts, batchSize: 10 }))
        .subscribe((batch) => packets.push(...batch));
    });
    expect(packets.map((p) => [p.data.length, p.eof])).to.deep.equal([
      [1024, false],
      [1024, false],
      [452, true],
      [0, true],
    ]);
  });

  it("adds each packet's wire size to recentlySent and decays it by the factor every period", () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const a = channel(1, 1);
      fill(a, 2, 100);
      const size = packetWireSize({ type: "msg", channelId: 1, eof: true, data: new Uint8Array(100) });
      const seen: number[] = [];
      // pull at 0 ms, then at 4000 ms (two periods later), then at 5999 ms (no new period)
      const pulls = cold("p 3999ms p 1998ms p|");
      expectObservable(
        pulls.pipe(
          prioritySchedule([a], opts),
          map(() => {
            seen.push(a.recentlySent);
            return a.recentlySent;
          }),
        ),
      ).toBe("a 3999ms b 1998ms c|", {
        a: size,
        b: Math.floor(size * 0.8 * 0.8) + size,
        c: Math.floor(size * 0.8 * 0.8) + size,
      });
      flush();
      expect(seen).to.have.length(3);
    });
  });

  it("forgets old history through decay: after a long idle spell the declared order breaks the tie again", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = channel(1, 1);
      const b = channel(2, 1);
      a.recentlySent = 10_000; // a sent a lot before
      fill(a, 5);
      fill(b, 5);
      // Right away b is chosen (lower). Two minutes later (60 periods) both histories have decayed
      // to 0, so the tie goes to a, declared first; without decay b would win for 9 more packets.
      expectObservable(cold("p 119999ms p|").pipe(prioritySchedule([a, b], opts), map(letters))).toBe("b 119999ms a|");
    });
  });

  it("tells onDequeue when a message leaves the queue", () => {
    const a = channel(1, 1, 1);
    fill(a, 1, 2048);
    const dequeued: number[] = [];
    testScheduler().run(({ cold }) => {
      cold("pp|")
        .pipe(prioritySchedule([a], { ...opts, onDequeue: (ch) => dequeued.push(ch.id) }))
        .subscribe();
    });
    expect(dequeued).to.deep.equal([1]);
    expect(a.hasRoom).to.equal(true);
  });

  it("selectChannel returns undefined when nothing is pending", () => {
    expect(selectChannel([channel(1, 1), channel(2, 3)])).to.equal(undefined);
  });

  it("batchCutter, the plain function, cuts the same batches as the operator, and counts what it cut", () => {
    const make = () => {
      const chans = [channel(1, 1), channel(2, 3)];
      for (const ch of chans) fill(ch, 5, 1500);
      return chans;
    };
    const direct = make();
    const nextBatch = batchCutter(direct, { ...opts, batchSize: 4 });
    const cut: string[] = [];
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) cut.push(letters(batch));
    const viaOperator = make();
    const pulled: string[] = [];
    testScheduler().run(({ cold }) => {
      cold("p".repeat(cut.length) + "|")
        .pipe(prioritySchedule(viaOperator, { ...opts, batchSize: 4 }), map(letters))
        .subscribe((b) => pulled.push(b));
    });
    expect(pulled).to.deep.equal(cut);
    expect(direct.map((ch) => [ch.sentBytes, ch.sentMessages, ch.hasPending])).to.deep.equal([
      [7500, 5, false],
      [7500, 5, false],
    ]);
  });
});
