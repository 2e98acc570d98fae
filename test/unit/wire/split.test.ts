import { expect } from "chai";
import { from, lastValueFrom, Subject, toArray } from "rxjs";
import { MalformedPacketError, PacketTooLargeError } from "../../../src/errors.js";
import { decodePackets } from "../../../src/wire/decode-packets.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FrameDecoder } from "../../../src/wire/frame-decoder.js";
import { maxPacketMsgSize, type MsgPacket, packetBodySize, payloadSizeForChannel, PING, PONG, type Packet } from "../../../src/wire/packet.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** A packet with its data as hex, so that views into the chunks compare by content. */
function norm(p: Packet): { type: string; channelId?: number; eof?: boolean; data?: string } {
  if (p.type !== "msg") return { type: p.type };
  return { type: "msg", channelId: p.channelId, eof: p.eof, data: hex(p.data) };
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const msg = (channelId: number, eof: boolean, data: Uint8Array): MsgPacket => ({ type: "msg", channelId, eof, data });

const packets: Packet[] = [
  PING,
  PONG,
  msg(0x20, true, pattern(1024, 7)), // a full final fragment: body 1034, the maximum
  msg(0, true, new Uint8Array(0)), // empty message on channel 0: `1a 02 10 01`
  msg(0, false, new Uint8Array(0)), // all fields zero: `1a 00`
  msg(0x85, true, pattern(payloadSizeForChannel(0x85, 1024), 3)), // two-byte channel id, full final fragment (1023 B)
  msg(0xff, true, pattern(200, 11)),
  PING,
];
const expected = packets.map(norm);
const stream = encodeBatch(packets);

async function decode(chunks: Uint8Array[]): Promise<ReturnType<typeof norm>[]> {
  const out = await lastValueFrom(from(chunks).pipe(decodePackets(), toArray()));
  return out.map(norm);
}

describe("wire: decodePackets over split streams", () => {
  it("the sample packets fit the default maximum (1034); the two full fragments are exactly 1034", () => {
    const sizes = packets.map(packetBodySize);
    expect(Math.max(...sizes)).to.equal(maxPacketMsgSize(1024));
    expect(packetBodySize(packets[2])).to.equal(1034);
    expect(packetBodySize(packets[5])).to.equal(1034);
  });

  it("decodes the whole stream in one chunk", async () => {
    expect(await decode([stream])).to.deep.equal(expected);
  });

  it(`decodes the same packets when split into two chunks at every boundary (${stream.length + 1} splits)`, async () => {
    for (let at = 0; at <= stream.length; at++) {
      const got = await decode([stream.subarray(0, at), stream.subarray(at)]);
      expect(got, `split at ${at}`).to.deep.equal(expected);
    }
  });

  it("decodes the same packets from copies (the chunks do not share a buffer)", async () => {
    for (let at = 0; at <= stream.length; at += 7) {
      const got = await decode([stream.slice(0, at), stream.slice(at)]);
      expect(got, `split at ${at}`).to.deep.equal(expected);
    }
  });

  it("decodes the same packets from three chunks around every packet boundary", async () => {
    const boundaries: number[] = [];
    let at = 0;
    for (const p of packets) {
      at += encodeBatch([p]).length;
      boundaries.push(at);
    }
    for (const b of boundaries)
      for (let d = -3; d <= 3; d++)
        for (let e = 1; e <= 4; e++) {
          const i = Math.max(0, Math.min(stream.length, b + d));
          const j = Math.min(stream.length, i + e);
          const got = await decode([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
          expect(got, `cuts at ${i}, ${j}`).to.deep.equal(expected);
        }
  });

  it("decodes the same packets from 1-byte chunks", async () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(await decode(bytes)).to.deep.equal(expected);
  });

  it("decodes the same packets from 1-byte chunks interleaved with empty chunks", async () => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) chunks.push(new Uint8Array(0), stream.subarray(i, i + 1));
    chunks.push(new Uint8Array(0));
    expect(await decode(chunks)).to.deep.equal(expected);
  });

  it("emits each packet as soon as its last byte arrives (not at the end of the stream)", () => {
    const source = new Subject<Uint8Array>();
    const seen: string[] = [];
    source.pipe(decodePackets()).subscribe((p) => seen.push(p.type));
    let at = 0;
    for (const p of packets) {
      const wire = encodeBatch([p]);
      source.next(stream.subarray(at, at + wire.length - 1));
      const before = seen.length;
      source.next(stream.subarray(at + wire.length - 1, at + wire.length));
      expect(seen.length, `packet ending at ${at + wire.length}`).to.equal(before + 1);
      at += wire.length;
    }
    source.complete();
    expect(seen).to.deep.equal(packets.map((p) => p.type));
  });

  describe("a length prefix of 2^60", () => {
    const prefix = encodeUvarint(2 ** 60);

    it("is nine bytes (eight 0x80 then 0x10)", () => {
      expect(hex(prefix)).to.equal("808080808080808010");
    });

    it("fed byte by byte with no completion: PacketTooLargeError right after its last byte, the source released", () => {
      const source = new Subject<Uint8Array>();
      let error: unknown;
      let completed = false;
      const emitted: Packet[] = [];
      source.pipe(decodePackets()).subscribe({ next: (p) => emitted.push(p), error: (e: unknown) => (error = e), complete: () => (completed = true) });
      for (let i = 0; i < prefix.length - 1; i++) {
        source.next(prefix.subarray(i, i + 1));
        expect(error, `after ${i + 1} prefix bytes`).to.equal(undefined);
      }
      source.next(prefix.subarray(prefix.length - 1));
      expect(error).to.be.instanceOf(PacketTooLargeError);
      expect((error as PacketTooLargeError).announced).to.equal(2 ** 60);
      expect((error as PacketTooLargeError).max).to.equal(1034);
      expect(completed).to.equal(false);
      expect(emitted).to.deep.equal([]);
      expect(source.observed, "decodePackets unsubscribed from its source").to.equal(false);
    });

    it("after valid packets, fed byte by byte: the packets, then the error after the prefix", () => {
      const head = encodeBatch([PING, msg(1, true, pattern(10, 1))]);
      const all = new Uint8Array([...head, ...prefix]);
      const source = new Subject<Uint8Array>();
      let error: unknown;
      const emitted: string[] = [];
      source.pipe(decodePackets()).subscribe({ next: (p) => emitted.push(p.type), error: (e: unknown) => (error = e) });
      for (let i = 0; i < all.length; i++) {
        source.next(all.subarray(i, i + 1));
        if (i < all.length - 1) expect(error, `after ${i + 1} bytes`).to.equal(undefined);
      }
      expect(emitted).to.deep.equal(["ping", "msg"]);
      expect(error).to.be.instanceOf(PacketTooLargeError);
    });

    it("FrameDecoder holds at most 10 bytes while reading it, and throws on its last byte", () => {
      const decoder = new FrameDecoder(maxPacketMsgSize(1024));
      for (let i = 0; i < prefix.length - 1; i++) {
        decoder.push(prefix.subarray(i, i + 1), () => expect.fail("no frame expected"));
        expect(decoder.buffered).to.equal(i + 1);
        expect(decoder.buffered).to.be.at.most(10);
      }
      expect(() => decoder.push(prefix.subarray(prefix.length - 1), () => expect.fail("no frame expected"))).to.throw(PacketTooLargeError);
      expect(decoder.buffered).to.be.at.most(10);
    });

    it("in one chunk followed by 1 MiB: rejected without buffering any of it", () => {
      const big = new Uint8Array(prefix.length + 1024 * 1024);
      big.set(prefix);
      const decoder = new FrameDecoder(maxPacketMsgSize(1024));
      expect(() => decoder.push(big, () => expect.fail("no frame expected"))).to.throw(PacketTooLargeError);
      expect(decoder.buffered).to.equal(0);
    });

    it("a prefix whose first bytes already exceed the max (ff ff …) is rejected on the second byte", () => {
      const source = new Subject<Uint8Array>();
      let error: unknown;
      source.pipe(decodePackets()).subscribe({ error: (e: unknown) => (error = e) });
      source.next(Uint8Array.of(0xff));
      expect(error).to.equal(undefined);
      source.next(Uint8Array.of(0xff));
      expect(error).to.be.instanceOf(PacketTooLargeError);
    });

    it("a ten-byte prefix that overflows 64 bits, byte by byte, is MalformedPacketError on the tenth byte", () => {
      const overflow = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f);
      const decoder = new FrameDecoder(Number.MAX_VALUE);
      for (let i = 0; i < 9; i++) {
        decoder.push(overflow.subarray(i, i + 1), () => expect.fail("no frame expected"));
        expect(decoder.buffered).to.be.at.most(10);
      }
      expect(() => decoder.push(overflow.subarray(9), () => {})).to.throw(MalformedPacketError);
    });
  });
});
