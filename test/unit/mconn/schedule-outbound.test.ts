import { expect } from "chai";
import { map, Observable } from "rxjs";
import sinon from "sinon";
import { selectChannel } from "../../../src/mconn/next-batch.js";
import { OutboundChannel as OutboundChannelClass, type OutboundChannel } from "../../../src/mconn/outbound-channel.js";
import { scheduleOutbound, type OutboundBatch, type OutboundSource } from "../../../src/mconn/schedule-outbound.js";
import { packetWireSize, type MsgPacket } from "../../../src/wire/packet.js";
import { testScheduler } from "../../helpers/marbles.js";

/** A channel whose stream pushes `n` messages of `size` bytes when subscribed; it completes if told to. */
function full(id: number, priority: number, n: number, size = 1024, complete = false): OutboundSource {
  const messages$ = new Observable<Uint8Array>((s) => {
    for (let i = 0; i < n; i++) s.next(new Uint8Array(size).fill(id));
    if (complete) s.complete();
  });
  return { id, priority, messages$ };
}

/** One letter per packet: its channel ("a" = channel 1, "b" = 2, ...), "_" for an empty batch. */
const letters = (batch: OutboundBatch) => (batch.packets.length === 0 ? "_" : batch.packets.map((p) => String.fromCharCode(96 + p.channelId)).join(""));

const opts = { maxPacketMsgPayloadSize: 1024, batchSize: 1, decayPeriod: 2000, decayFactor: 0.8 };

describe("scheduleOutbound", () => {
  it("answers each demand with the next packet of the channel with the lowest recentlySent / priority (shares 1:2)", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // demand of 1 byte, batches of 1: one packet per demand. a first (tie, listed first); then b
      // until its ratio passes a's, so b gets twice a's bytes.
      const demand = cold("-d-d-d-d-d-d-|", { d: 1 });
      expectObservable(demand.pipe(scheduleOutbound([full(1, 1, 10), full(2, 2, 10)], opts), map(letters))).toBe("-a-b-b-a-b-b-|");
    });
  });

  it("gives shares proportional to priorities under saturation (1:2:5)", () => {
    const counts = new Map<number, number>();
    testScheduler().run(({ cold }) => {
      cold("d".repeat(80) + "|", { d: 1 })
        .pipe(scheduleOutbound([full(1, 1, 100), full(2, 2, 100), full(3, 5, 100)], opts))
        .subscribe((b) => b.packets.forEach((p) => counts.set(p.channelId, (counts.get(p.channelId) ?? 0) + 1)));
    });
    expect([counts.get(1), counts.get(2), counts.get(3)]).to.deep.equal([10, 20, 50]);
  });

  it("is pulled by demand in bytes: batches of batchSize until the demand is met or the queues are empty (an empty answer then), with more while packets remain", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = full(1, 1, 1, 5 * 1024 + 1); // six packets: 1024 × 5, 1
      const wire = packetWireSize({ type: "msg", channelId: 1, eof: false, data: new Uint8Array(1024) });
      // 1 byte: one batch of 2 (more to come); two packets' worth and a byte: two batches, the
      // last four packets; then empty answers.
      const demand = cold("-x-y-z-z|", { x: 1, y: 2 * wire + 1, z: 1 });
      expectObservable(demand.pipe(scheduleOutbound([a], { ...opts, batchSize: 2 }), map((b) => `${letters(b)}${b.more ? "+" : ""}`))).toBe("-p-q-r-s|", {
        p: "aa+",
        q: "aaaa",
        r: "_",
        s: "_",
      });
    });
  });

  it("adds each packet's wire size to recentlySent and decays it by the factor every period of the scheduler's clock", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      let channels: readonly OutboundChannel[] = [];
      const size = packetWireSize({ type: "msg", channelId: 1, eof: true, data: new Uint8Array(100) });
      // demand at 0 ms, then at 4000 ms (two periods later), then at 5999 ms (no new period)
      const demand = cold("d 3999ms d 1998ms d|", { d: 1 });
      expectObservable(
        demand.pipe(
          scheduleOutbound([full(1, 1, 3, 100)], { ...opts, onChannels: (c) => (channels = c) }),
          map(() => channels[0].recentlySent),
        ),
      ).toBe("a 3999ms b 1998ms c|", { a: size, b: Math.floor(size * 0.8 * 0.8) + size, c: Math.floor(size * 0.8 * 0.8) + 2 * size });
    });
  });

  it("forgets old history through decay: after a long idle spell the listed order breaks the tie again", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // a and b alternate (equal priorities): a has sent 4 packets, b 3. Without decay b would go
      // next; two minutes later (60 periods) both histories have decayed to 0, so the tie goes to
      // a, listed first.
      const demand = cold("ddddddd 119993ms d|", { d: 1 });
      expectObservable(demand.pipe(scheduleOutbound([full(1, 1, 20), full(2, 1, 20)], opts), map(letters))).toBe("abababa 119993ms a|");
    });
  });

  it("a channel that completes has what it queued sent, then leaves; the result completes once every channel has and is drained", () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const a: OutboundSource = { id: 1, priority: 1, messages$: cold("(xx|)", { x: new Uint8Array(10) }) };
      const b: OutboundSource = { id: 2, priority: 1, messages$: hot("---y--(y|)", { y: new Uint8Array(10) }) };
      // a's two messages at once; b's first at frame 3 (its turn: a has sent one), then a's
      // second, then b's last, after which every channel has completed and is drained.
      const demand = cold("-d-d-d-d-d-d-d-d-|", { d: 1 });
      expectObservable(demand.pipe(scheduleOutbound([a, b], opts), map(letters))).toBe("-a-b-a-(b|)");
    });
  });

  it("a channel that errors errors the result with its error; the other channels and the demand are unsubscribed", () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const boom = new Error("channel failed");
      const bStream = cold<Uint8Array>("--#", undefined, boom);
      const a = hot("x-x-x-x", { x: new Uint8Array(10) });
      const demand = cold("-d-d-d-|", { d: 1 });
      expectObservable(demand.pipe(scheduleOutbound([{ id: 1, priority: 1, messages$: a }, { id: 2, priority: 1, messages$: bStream }], opts), map(letters))).toBe("-a#", undefined, boom);
      expectSubscriptions(a.subscriptions).toBe("^-!");
      expectSubscriptions(demand.subscriptions).toBe("^-!");
    });
  });

  it("a throwing onDequeue errors the result with what was thrown, as RxJS's own operators do; nothing escapes", () => {
    const boom = new Error("onDequeue failed");
    const onDequeue = sinon.spy((id: number) => {
      if (id === 2) throw boom;
    });
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-d-d-d-|", { d: 1 }).pipe(scheduleOutbound([full(1, 1, 10), full(2, 2, 10)], { ...opts, onDequeue }), map(letters))).toBe("-a-#", undefined, boom);
    });
    expect(onDequeue.callCount).to.equal(2);
  });

  it("cuts messages into fragments of at most the payload size, eof on the last, an empty message into one eof packet; onSent on each last packet", () => {
    const packets: MsgPacket[] = [];
    const sent: number[] = [];
    const a: OutboundSource = { id: 1, priority: 1, messages$: new Observable((s) => {
      s.next(new Uint8Array(2500));
      s.next(new Uint8Array(0));
    }) };
    testScheduler().run(({ cold }) => {
      cold("d|", { d: 1 << 20 })
        .pipe(scheduleOutbound([a], { ...opts, batchSize: 10, onSent: (_, m) => sent.push(m.length) }))
        .subscribe((b) => packets.push(...b.packets));
    });
    expect(packets.map((p) => [p.data.length, p.eof])).to.deep.equal([
      [1024, false],
      [1024, false],
      [452, true],
      [0, true],
    ]);
    expect(sent).to.deep.equal([2500, 0]);
  });

  it("selectChannel (its choice) returns undefined when nothing is pending", () => {
    const idle = (id: number, priority: number) => new OutboundChannelClass({ id, priority, sendQueueCapacity: 1, recvMessageCapacity: 1 }, 1024);
    expect(selectChannel([idle(1, 1), idle(2, 3)])).to.equal(undefined);
  });
});
