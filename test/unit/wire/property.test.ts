import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { expect } from "chai";
import fc from "fast-check";
import path from "node:path";
import protobuf from "protobufjs";
import { from } from "rxjs";
import { MalformedPacketError, ProtocolError, TruncatedError } from "../../../src/errors.js";
import { Packet as ProtoPacket } from "../../../src/proto/tendermint/p2p/conn.js";
import { decodePacket } from "../../../src/wire/decode-packet.js";
import { decodePacketBatches, decodePackets } from "../../../src/wire/decode-packets.js";
import { writePacket } from "../../../src/wire/encode-packet.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FrameDecoder } from "../../../src/wire/frame-decoder.js";
import { refFrames, type FramingErrorClass as ErrorClass } from "../../helpers/ref-frames.js";
import {
  maxPacketMsgSize,
  type MsgPacket,
  packetWireSize,
  payloadSizeForChannel,
  PING,
  PONG,
  type Packet,
} from "../../../src/wire/packet.js";

// ---------------------------------------------------------------------------------------------
// helpers

type Norm = { type: "ping" } | { type: "pong" } | { type: "msg"; channelId: number; eof: boolean; data: string };

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** A packet with its data as hex, so that views into shared buffers compare by content. */
function norm(p: Packet): Norm {
  if (p.type === "ping") return { type: "ping" };
  if (p.type === "pong") return { type: "pong" };
  return { type: "msg", channelId: p.channelId, eof: p.eof, data: hex(p.data) };
}

function toProto(p: Packet): ProtoPacket {
  switch (p.type) {
    case "ping":
      return { sum: { $case: "packetPing", value: {} } };
    case "pong":
      return { sum: { $case: "packetPong", value: {} } };
    case "msg":
      return { sum: { $case: "packetMsg", value: { channelId: p.channelId, eof: p.eof, data: p.data } } };
  }
}

/** ts-proto's decoded form as ours (undefined: no oneof member set). */
function fromProto(p: ProtoPacket): Norm | undefined {
  switch (p.sum?.$case) {
    case undefined:
      return undefined;
    case "packetPing":
      return { type: "ping" };
    case "packetPong":
      return { type: "pong" };
    case "packetMsg":
      return { type: "msg", channelId: p.sum.value.channelId, eof: p.sum.value.eof, data: hex(p.sum.value.data) };
  }
}

/** The plain object protobufjs encodes; proto3 fields without presence are left out when zero. */
function toPbjs(p: Packet): Record<string, unknown> {
  if (p.type === "ping") return { packet_ping: {} };
  if (p.type === "pong") return { packet_pong: {} };
  const m: Record<string, unknown> = {};
  if (p.channelId !== 0) m.channel_id = p.channelId;
  if (p.eof) m.eof = true;
  if (p.data.length > 0) m.data = p.data;
  return { packet_msg: m };
}

/** ts-proto's body with a length prefix written by @bufbuild/protobuf's writer (not ours). */
function tsProtoDelimited(p: Packet): Uint8Array {
  return new BinaryWriter().bytes(ProtoPacket.encode(toProto(p)).finish()).finish();
}

function ours(p: Packet): Uint8Array {
  const out = new Uint8Array(packetWireSize(p));
  expect(writePacket(out, 0, p)).to.equal(out.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `bytes` cut at `cuts` (taken modulo its length + 1; repeated cuts make empty chunks). */
function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    chunks.push(bytes.subarray(prev, c));
    prev = c;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

/** Runs `chunks` synchronously through `decodePackets(max)`. */
function runDecode(chunks: readonly Uint8Array[], max?: number): { packets: Norm[]; error?: unknown; completed: boolean } {
  const r: { packets: Norm[]; error?: unknown; completed: boolean } = { packets: [], completed: false };
  from(chunks)
    .pipe(decodePackets(max))
    .subscribe({ next: (p) => r.packets.push(norm(p)), error: (e: unknown) => (r.error = e), complete: () => (r.completed = true) });
  return r;
}

/** Reference result of decoding `bytes`: the packets and the class of the error it ends with. */
function refDecode(bytes: Uint8Array, max: number): { packets: Norm[]; error?: ErrorClass } {
  const { frames, error } = refFrames(bytes, max);
  const packets: Norm[] = [];
  for (const [s, e] of frames) {
    try {
      packets.push(norm(decodePacket(bytes.slice(s, e))));
    } catch (err) {
      expect(err).to.be.instanceOf(MalformedPacketError);
      return { packets, error: MalformedPacketError };
    }
  }
  return error === undefined ? { packets } : { packets, error: error.cls };
}

// ---------------------------------------------------------------------------------------------
// arbitraries

const dataArb = fc.oneof(
  fc.uint8Array({ maxLength: 1100 }),
  fc.uint8Array({ minLength: 100, maxLength: 1100, size: "max" }), // two-byte lengths and full packets
);
const msgArb: fc.Arbitrary<MsgPacket> = fc.record({
  type: fc.constant("msg" as const),
  channelId: fc.integer({ min: 0, max: 255 }),
  eof: fc.boolean(),
  data: dataArb,
});
const packetArb: fc.Arbitrary<Packet> = fc.oneof(fc.constant<Packet>(PING), fc.constant<Packet>(PONG), msgArb, msgArb);

/** Packets that fit the default receive limit: data ≤ the payload size for their channel. */
const fittingPacketArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.constant<Packet>(PING),
  fc.constant<Packet>(PONG),
  fc.integer({ min: 0, max: 255 }).chain((channelId) =>
    fc.record({
      type: fc.constant("msg" as const),
      channelId: fc.constant(channelId),
      eof: fc.boolean(),
      data: fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: payloadSizeForChannel(channelId, 1024), size: "max" }),
        fc.constant(new Uint8Array(payloadSizeForChannel(channelId, 1024))),
      ),
    }),
  ),
);

/** A uvarint of `v`, optionally padded to a longer (non-minimal) form with `pad` extra bytes. */
function varint(v: bigint, pad = 0): number[] {
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  if (pad === 0) {
    out.push(Number(v));
    return out;
  }
  out.push(Number(v) | 0x80);
  for (let i = 1; i < pad; i++) out.push(0x80);
  out.push(0);
  return out;
}

const tag = (field: number, wireType: number, pad = 0): number[] => varint(BigInt(field) * 8n + BigInt(wireType), pad);
const padArb = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) });

/** A field the decoder must skip: any number except the known (field, wire type) pairs. */
function unknownFieldArb(known: readonly (readonly [number, number])[]): fc.Arbitrary<number[]> {
  return fc
    .record({
      field: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 29 - 1 })),
      wireType: fc.constantFrom(0, 1, 2, 5),
      pad: padArb,
      varint: fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      bytes: fc.uint8Array({ maxLength: 12 }),
      fixed64: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fixed32: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    })
    .filter((f) => !known.some(([n, w]) => n === f.field && w === f.wireType))
    .map((f) => {
      const t = tag(f.field, f.wireType, f.pad);
      switch (f.wireType) {
        case 0:
          return [...t, ...varint(f.varint)];
        case 1:
          return [...t, ...f.fixed64];
        case 5:
          return [...t, ...f.fixed32];
        default:
          return [...t, ...varint(BigInt(f.bytes.length)), ...f.bytes];
      }
    });
}

type MsgField = { kind: "ch"; value: number } | { kind: "eof"; value: bigint } | { kind: "data"; value: Uint8Array } | { kind: "unknown" };

/** One field of a PacketMsg, as bytes with what it means. */
const msgFieldArb: fc.Arbitrary<{ bytes: number[]; field: MsgField }> = fc.oneof(
  fc
    .record({ v: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), pad: padArb })
    // int32 is written as a 64-bit two's complement varint (10 bytes when negative)
    .map(({ v, pad }) => ({ bytes: [...tag(1, 0, pad), ...varint(BigInt.asUintN(64, BigInt(v)))], field: { kind: "ch", value: v } satisfies MsgField })),
  fc
    .record({ v: fc.oneof(fc.constantFrom(0n, 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), pad: padArb })
    .map(({ v, pad }) => ({ bytes: [...tag(2, 0, pad), ...varint(v)], field: { kind: "eof", value: v } satisfies MsgField })),
  fc
    .record({ v: fc.uint8Array({ maxLength: 200 }), pad: padArb })
    .map(({ v, pad }) => ({ bytes: [...tag(3, 2), ...varint(BigInt(v.length), pad), ...v], field: { kind: "data", value: v } satisfies MsgField })),
  unknownFieldArb([
    [1, 0],
    [2, 0],
    [3, 2],
  ]).map((bytes) => ({ bytes, field: { kind: "unknown" } satisfies MsgField })),
);

type Member = { kind: "ping" } | { kind: "pong" } | { kind: "msg"; fields: MsgField[] } | { kind: "unknown" };

/** One top-level field of a Packet. */
const memberArb: fc.Arbitrary<{ bytes: number[]; member: Member }> = fc.oneof(
  fc
    .record({
      kind: fc.constantFrom("ping" as const, "pong" as const),
      inner: fc.array(unknownFieldArb([]), { maxLength: 2 }),
      pad: padArb,
    })
    .map(({ kind, inner, pad }) => {
      const body = inner.flat();
      return { bytes: [...tag(kind === "ping" ? 1 : 2, 2, pad), ...varint(BigInt(body.length)), ...body], member: { kind } satisfies Member };
    }),
  fc.record({ fields: fc.array(msgFieldArb, { maxLength: 6 }), pad: padArb }).map(({ fields, pad }) => {
    const body = fields.flatMap((f) => f.bytes);
    return {
      bytes: [...tag(3, 2), ...varint(BigInt(body.length), pad), ...body],
      member: { kind: "msg", fields: fields.map((f) => f.field) } satisfies Member,
    };
  }),
  unknownFieldArb([
    [1, 2],
    [2, 2],
    [3, 2],
  ]).map((bytes) => ({ bytes, member: { kind: "unknown" } satisfies Member })),
);

/** What a proto3 decoder must make of the members: the last oneof member wins (replacing). */
function model(members: readonly Member[]): Norm | undefined {
  let result: Norm | undefined;
  for (const m of members) {
    if (m.kind === "ping") result = { type: "ping" };
    else if (m.kind === "pong") result = { type: "pong" };
    else if (m.kind === "msg") {
      let channelId = 0;
      let eof = false;
      let data = "";
      for (const f of m.fields) {
        if (f.kind === "ch") channelId = f.value;
        else if (f.kind === "eof") eof = f.value !== 0n;
        else if (f.kind === "data") data = hex(f.value);
      }
      result = { type: "msg", channelId, eof, data };
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

describe("wire: properties", () => {
  let PbPacket: protobuf.Type;

  before(async () => {
    const protoDir = path.resolve(process.cwd(), "proto");
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.resolve(protoDir, target);
    await root.load("tendermint/p2p/conn.proto", { keepCase: true });
    PbPacket = root.lookupType("tendermint.p2p.Packet");
  });

  describe("(a) the hand-written encoder is byte-identical to generated protobuf code", () => {
    it("writePacket = uvarint(len) ‖ ts-proto's Packet.encode = protobufjs encodeDelimited", () => {
      fc.assert(
        fc.property(packetArb, (p) => {
          const mine = hex(ours(p));
          expect(mine).to.equal(hex(tsProtoDelimited(p)));
          expect(mine).to.equal(hex(PbPacket.encodeDelimited(PbPacket.fromObject(toPbjs(p))).finish()));
        }),
        { numRuns: 400 },
      );
    });

    it("also for any non-negative int32 channel id (what a decoder may see)", () => {
      const wide = fc.record({
        type: fc.constant("msg" as const),
        channelId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        eof: fc.boolean(),
        data: fc.uint8Array({ maxLength: 40 }),
      });
      fc.assert(
        fc.property(wide, (p) => {
          expect(hex(ours(p))).to.equal(hex(tsProtoDelimited(p)));
          expect(hex(ours(p))).to.equal(hex(PbPacket.encodeDelimited(PbPacket.fromObject(toPbjs(p))).finish()));
        }),
        { numRuns: 200 },
      );
    });

    it("encodeBatch is the concatenation of each packet's delimited ts-proto encoding", () => {
      fc.assert(
        fc.property(fc.array(packetArb, { maxLength: 6 }), (ps) => {
          expect(hex(encodeBatch(ps))).to.equal(hex(concat(ps.map(tsProtoDelimited))));
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("(b) decodePacket inverts the generated encoders", () => {
    it("decodePacket(ts-proto encoding) and decodePacket(protobufjs encoding) equal the input", () => {
      fc.assert(
        fc.property(packetArb, (p) => {
          expect(norm(decodePacket(ProtoPacket.encode(toProto(p)).finish()))).to.deep.equal(norm(p));
          expect(norm(decodePacket(PbPacket.encode(PbPacket.fromObject(toPbjs(p))).finish()))).to.deep.equal(norm(p));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("(c) decodePacket on arbitrary input", () => {
    /** Arbitrary bytes, and valid encodings with a byte changed or cut short (closer to valid). */
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 48 }),
      fc
        .record({ p: packetArb, at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cutAt: fc.nat(), mode: fc.integer({ min: 0, max: 2 }) })
        .map(({ p, at, value, cutAt, mode }) => {
          const body = ProtoPacket.encode(toProto(p)).finish().slice();
          if (mode !== 1 && body.length > 0) body[at % body.length] = value;
          return mode === 0 ? body : body.subarray(0, cutAt % (body.length + 1));
        }),
    );

    it("returns a packet or throws a MalformedPacketError, never anything else", () => {
      fc.assert(
        fc.property(bytesArb, (bytes) => {
          let p: Packet;
          try {
            p = decodePacket(bytes);
          } catch (err) {
            expect(err).to.be.instanceOf(MalformedPacketError);
            return;
          }
          expect(["ping", "pong", "msg"]).to.include(p.type);
          if (p.type === "msg") {
            expect(Number.isInteger(p.channelId) && p.channelId >= -(2 ** 31) && p.channelId < 2 ** 31).to.equal(true);
            expect(p.data).to.be.instanceOf(Uint8Array);
            expect(p.data.length).to.be.at.most(bytes.length);
          }
        }),
        { numRuns: 1000 },
      );
    });

    it("on valid proto3 (unknown fields, any order, repeats, non-minimal varints) agrees with the model and ts-proto", () => {
      fc.assert(
        fc.property(fc.array(memberArb, { maxLength: 5 }), (members) => {
          const bytes = new Uint8Array(members.flatMap((m) => m.bytes));
          const expected = model(members.map((m) => m.member));
          const theirs = fromProto(ProtoPacket.decode(bytes));
          expect(theirs, "ts-proto agrees with the model").to.deep.equal(expected);
          if (expected === undefined) {
            expect(() => decodePacket(bytes)).to.throw(MalformedPacketError);
          } else {
            expect(norm(decodePacket(bytes))).to.deep.equal(expected);
          }
        }),
        { numRuns: 500 },
      );
    });

    it("where both ts-proto and ours decode a packet with a type set (varints < 2^28), they agree", () => {
      // ts-proto reads tags and lengths as uint32 (dropping high bits) and stops at a 0 tag or
      // an end-group tag; longer varints are excluded so that only well-formed inputs compare.
      const noLongVarint = (b: Uint8Array) => !/[\x80-\xff]{4}/.test(Buffer.from(b).toString("latin1"));
      fc.assert(
        fc.property(bytesArb, (bytes) => {
          fc.pre(noLongVarint(bytes));
          let theirs: Norm | undefined;
          try {
            theirs = fromProto(ProtoPacket.decode(bytes));
          } catch {
            return;
          }
          if (theirs === undefined) return;
          let mine: Norm;
          try {
            mine = norm(decodePacket(bytes));
          } catch (err) {
            expect(err).to.be.instanceOf(MalformedPacketError);
            return;
          }
          expect(mine).to.deep.equal(theirs);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe("(d) framing does not depend on how the stream is cut", () => {
    it("packets encoded into one stream and cut anywhere decode to the same packets", () => {
      fc.assert(
        fc.property(fc.array(fittingPacketArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 16 }), (ps, cuts) => {
          const stream = encodeBatch(ps);
          const r = runDecode(cut(stream, cuts));
          expect(r.error).to.equal(undefined);
          expect(r.completed).to.equal(true);
          expect(r.packets).to.deep.equal(ps.map(norm));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("(e) arbitrary chunk streams", () => {
    /** Pieces of a stream: valid packets, random bytes and hostile length prefixes. */
    const pieceArb = fc.oneof(
      { weight: 3, arbitrary: fittingPacketArb.map((p) => ours(p)) },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => new Uint8Array(varint(v))) },
      { weight: 1, arbitrary: fc.constantFrom(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), Uint8Array.of(0x00), Uint8Array.of(0x80, 0x00)) },
    );
    const streamArb = fc.record({
      pieces: fc.array(pieceArb, { maxLength: 8 }),
      cuts: fc.array(fc.nat(), { maxLength: 16 }),
      max: fc.constantFrom(maxPacketMsgSize(1024), 0, 5, 20, 300),
    });

    it("decodePackets gives the reference model's packets, then completes or errors with its ProtocolError", () => {
      fc.assert(
        fc.property(streamArb, ({ pieces, cuts, max }) => {
          const stream = concat(pieces);
          const expected = refDecode(stream, max);
          const r = runDecode(cut(stream, cuts), max);
          expect(r.packets).to.deep.equal(expected.packets);
          if (expected.error === undefined) {
            expect(r.error).to.equal(undefined);
            expect(r.completed).to.equal(true);
          } else {
            expect(r.error).to.be.instanceOf(ProtocolError);
            expect(r.error).to.be.instanceOf(expected.error);
            expect(r.completed).to.equal(false);
          }
        }),
        { numRuns: 500 },
      );
    });

    it("decodePacketBatches gives the same packets and end as decodePackets, one non-empty batch per chunk at most", () => {
      fc.assert(
        fc.property(streamArb, ({ pieces, cuts, max }) => {
          const chunks = cut(concat(pieces), cuts);
          const expected = runDecode(chunks, max);
          const batches: Norm[][] = [];
          let error: unknown;
          let completed = false;
          from(chunks)
            .pipe(decodePacketBatches(max))
            .subscribe({ next: (b) => batches.push(b.map(norm)), error: (e: unknown) => (error = e), complete: () => (completed = true) });
          expect(batches.flat()).to.deep.equal(expected.packets);
          expect(batches.every((b) => b.length > 0)).to.equal(true);
          expect(batches.length).to.be.at.most(chunks.length);
          expect(completed).to.equal(expected.completed);
          if (expected.error === undefined) expect(error).to.equal(undefined);
          else expect(error).to.be.instanceOf((expected.error as object).constructor);
        }),
        { numRuns: 500 },
      );
    });

    it("FrameDecoder: holds exactly the bytes of the incomplete frame, bounded by max + 10 (+ chunk), and fails on the chunk that reveals a bad prefix", () => {
      fc.assert(
        fc.property(streamArb, ({ pieces, cuts, max }) => {
          const stream = concat(pieces);
          const ref = refFrames(stream, max);
          const decoder = new FrameDecoder(max);
          const frames: string[] = [];
          let pushed = 0;
          for (const chunk of cut(stream, cuts)) {
            const end = pushed + chunk.length;
            const failsHere = ref.error !== undefined && ref.error.cls !== TruncatedError && ref.error.at < end;
            let thrown: unknown;
            try {
              decoder.push(chunk, (buf, s, e) => frames.push(hex(buf.subarray(s, e))));
            } catch (err) {
              thrown = err;
            }
            if (failsHere) {
              expect(thrown, `chunk ending at ${end}`).to.be.instanceOf(ref.error!.cls);
              break;
            }
            expect(thrown, `chunk ending at ${end}`).to.equal(undefined);
            pushed = end;
            const done = ref.frames.filter(([, e]) => e <= pushed);
            const consumed = done.length === 0 ? 0 : done[done.length - 1][1];
            expect(decoder.buffered, `buffered after ${pushed} bytes`).to.equal(pushed - consumed);
            expect(decoder.buffered).to.be.at.most(max + 10 + chunk.length);
            expect(decoder.buffered).to.be.below(max + 10);
            expect(frames).to.deep.equal(done.map(([s, e]) => hex(stream.subarray(s, e))));
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
