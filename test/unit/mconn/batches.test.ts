import { expect } from "chai";
import { MalformedPacketError, UnknownChannelError } from "../../../src/errors.js";
import { reassembleBatches, type ChannelMessage } from "../../../src/mconn/reassemble.js";
import { decodePacketBatches } from "../../../src/wire/decode-packets.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { PING, PONG, type MsgPacket, type Packet } from "../../../src/wire/packet.js";
import { testScheduler } from "../../helpers/marbles.js";

const msg = (channelId: number, eof: boolean, ...data: number[]): MsgPacket => ({ type: "msg", channelId, eof, data: Uint8Array.from(data) });

describe("batch operators of the inbound path", () => {
  it("decodePacketBatches: one array per chunk with the packets it completes; a chunk completing none emits nothing", () => {
    const wire = encodeBatch([PING, msg(1, false, 1, 2), msg(1, true, 3), PONG]);
    // a: the ping and half the first message; b: a single byte more (completes nothing); c: the rest
    const a = wire.subarray(0, 5);
    const b = wire.subarray(5, 6);
    const c = wire.subarray(6);
    testScheduler().run(({ cold, expectObservable }) => {
      const batches$ = cold("-a-b-c|", { a, b, c }).pipe(decodePacketBatches());
      expectObservable(batches$).toBe("-x---y|", {
        x: [PING],
        y: [msg(1, false, 1, 2), msg(1, true, 3), PONG],
      });
    });
  });

  it("decodePacketBatches: the packets before a malformed one come out, then the error", () => {
    const good = encodeBatch([PING, PONG]);
    const chunk = Uint8Array.from([...good, 0x02, 0xff, 0xff]);
    const seen: Packet[][] = [];
    let error: unknown;
    testScheduler().run(({ cold, flush }) => {
      cold("-a|", { a: chunk })
        .pipe(decodePacketBatches())
        .subscribe({ next: (b) => seen.push([...b]), error: (e: unknown) => (error = e) });
      flush();
    });
    expect(seen).to.deep.equal([[PING, PONG]]);
    expect(error).to.be.instanceOf(MalformedPacketError);
  });

  it("reassembleBatches: messages as their eof arrives, control packets skipped, channels interleaved", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const batches$ = cold<readonly Packet[]>("-a--b-|", {
        a: [msg(1, false, 1), PING, msg(2, true, 9)],
        b: [PONG, msg(1, false, 2), msg(1, true, 3)],
      });
      const out$ = batches$.pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 10 }, { id: 2, recvMessageCapacity: 10 }]));
      expectObservable(out$).toBe("-x--y-|", {
        x: { channelId: 2, message: Uint8Array.of(9) } satisfies ChannelMessage,
        y: { channelId: 1, message: Uint8Array.of(1, 2, 3) } satisfies ChannelMessage,
      });
    });
  });

  it("reassembleBatches: a packet for an undeclared channel errors after the messages before it in the batch", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const batches$ = cold<readonly Packet[]>("-a-|", { a: [msg(1, true, 7), msg(3, true, 8), msg(1, true, 9)] });
      expectObservable(batches$.pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 10 }]))).toBe(
        "-(x#)",
        { x: { channelId: 1, message: Uint8Array.of(7) } },
        new UnknownChannelError(3),
      );
    });
  });
});
