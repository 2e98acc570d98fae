import { expect } from "chai";
import { filter, from, lastValueFrom, type Observable, Subject, toArray } from "rxjs";
import {
  MalformedPacketError,
  MessageTooLargeError,
  PacketTooLargeError,
  ProtocolError,
  TruncatedError,
  UnknownChannelError,
} from "../../../src/errors.js";
import { reassemble } from "../../../src/mconn/reassemble.js";
import { Packet as ProtoPacket } from "../../../src/proto/tendermint/p2p/conn.js";
import { decodePacket } from "../../../src/wire/decode-packet.js";
import { decodePackets } from "../../../src/wire/decode-packets.js";
import { writePacket } from "../../../src/wire/encode-packet.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FrameDecoder } from "../../../src/wire/frame-decoder.js";
import {
  maxPacketMsgSize,
  type MsgPacket,
  packetBodySize,
  packetWireSize,
  PING,
  PONG,
  type Packet,
} from "../../../src/wire/packet.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";
import { readVectors } from "../../helpers/vectors.js";


interface PacketEncodingCase {
  name: string;
  input: {
    packet_ping?: Record<string, never>;
    packet_pong?: Record<string, never>;
    packet_msg?: { channel_id: number; eof: boolean; data_utf8: string };
  };
  expected_hex: string;
  wire_with_length_prefix_computed_by_research: string;
}

interface ReceiveLimitCase {
  name: string;
  packet_msg?: { channel_id: number; eof: boolean; data?: string; data_utf8?: string };
  raw_wire_hex?: string;
  wire_hex_computed_by_research?: string;
  packet_len_computed_by_research?: number;
  expect: string;
}

interface FramingCase {
  name: string;
  raw_hex?: string;
  raw?: string;
  max_size?: number;
  expect: string;
  bytes_consumed?: number | string;
}

interface Extracted {
  packet_encodings: { cases: PacketEncodingCase[] };
  mconnection_receive_limits: { cases: ReceiveLimitCase[] };
  protoio_framing: { cases: FramingCase[] };
}

interface Handshake {
  mconnection_packets: {
    ping_delimited: string;
    pong_delimited: string;
    msg_ch0x20_eof_abc_delimited: string;
    msg_ch0x00_eof_pexrequest_delimited: string;
    max_packet_msg_size_payload1024_ch1_eof: number;
  };
}

const extracted = readVectors<Extracted>("cometbft/extracted.json");
const handshake = readVectors<Handshake>("cometbft/derived-handshake.json");

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A packet with its data as hex, so that views into reused buffers compare by content. */
function norm(p: Packet): { type: string; channelId?: number; eof?: boolean; data?: string } {
  if (p.type !== "msg") return { type: p.type };
  return { type: "msg", channelId: p.channelId, eof: p.eof, data: hex(p.data) };
}

function msg(channelId: number, eof: boolean, data: Uint8Array): MsgPacket {
  return { type: "msg", channelId, eof, data };
}

/** `packet` written with the hand-written encoder into a buffer of exactly its wire size. */
function written(packet: Packet): Uint8Array {
  const out = new Uint8Array(packetWireSize(packet));
  const end = writePacket(out, 0, packet);
  expect(end, "writePacket returns the offset after the packet").to.equal(out.length);
  return out;
}

/** Runs `chunks` through `decodePackets(max)`; resolves with the packets (normalised). */
async function decodeAll(chunks: Uint8Array[], max?: number): Promise<ReturnType<typeof norm>[]> {
  const packets = await lastValueFrom(from(chunks).pipe(decodePackets(max), toArray()));
  return packets.map(norm);
}

/** What `decodePackets(max)` does with `chunks`: the packets it emitted and the error it ended with. */
function runDecode(chunks: Uint8Array[], max?: number): { packets: ReturnType<typeof norm>[]; error?: unknown; completed: boolean } {
  const packets: ReturnType<typeof norm>[] = [];
  let error: unknown;
  let completed = false;
  from(chunks)
    .pipe(decodePackets(max))
    .subscribe({ next: (p) => packets.push(norm(p)), error: (e: unknown) => (error = e), complete: () => (completed = true) });
  return { packets, error, completed };
}

/** Subscribes to `o$` and records synchronously what it does. */
function record<T>(o$: Observable<T>): { values: T[]; error?: unknown; completed: boolean } {
  const r: { values: T[]; error?: unknown; completed: boolean } = { values: [], completed: false };
  o$.subscribe({ next: (v) => r.values.push(v), error: (e: unknown) => (r.error = e), complete: () => (r.completed = true) });
  return r;
}

function packetFromInput(input: PacketEncodingCase["input"]): Packet {
  if (input.packet_ping !== undefined) return PING;
  if (input.packet_pong !== undefined) return PONG;
  const m = input.packet_msg!;
  return msg(m.channel_id, m.eof, utf8(m.data_utf8));
}

describe("wire: CometBFT vectors", () => {
  describe("extracted.json packet_encodings (TestConnVectors)", () => {
    const cases = extracted.packet_encodings.cases;

    it("has the three upstream cases", () => {
      expect(cases.map((c) => c.name)).to.deep.equal(["PacketPing", "PacketPong", "PacketMsg"]);
    });

    for (const c of cases) {
      describe(c.name, () => {
        const packet = packetFromInput(c.input);

        it("writePacket gives the length-prefixed wire bytes, and its body is expected_hex", () => {
          const wire = written(packet);
          expect(hex(wire)).to.equal(c.wire_with_length_prefix_computed_by_research);
          const body = c.expected_hex.length / 2;
          expect(packetBodySize(packet)).to.equal(body);
          expect(hex(wire.subarray(wire.length - body))).to.equal(c.expected_hex);
          expect(hex(wire.subarray(0, wire.length - body))).to.equal(hex(encodeUvarint(body)));
        });

        it("writePacket at a non-zero offset leaves the bytes around it alone", () => {
          const size = packetWireSize(packet);
          const out = new Uint8Array(size + 6).fill(0xee);
          expect(writePacket(out, 3, packet)).to.equal(3 + size);
          expect(hex(out)).to.equal(`eeeeee${c.wire_with_length_prefix_computed_by_research}eeeeee`);
        });

        it("encodeBatch([packet]) gives the same bytes", () => {
          expect(hex(encodeBatch([packet]))).to.equal(c.wire_with_length_prefix_computed_by_research);
        });

        it("ts-proto's generated encoder agrees (cross-check of the vector)", () => {
          const sum =
            packet.type === "ping"
              ? { $case: "packetPing" as const, value: {} }
              : packet.type === "pong"
                ? { $case: "packetPong" as const, value: {} }
                : { $case: "packetMsg" as const, value: { channelId: packet.channelId, eof: packet.eof, data: packet.data } };
          expect(hex(ProtoPacket.encode({ sum }).finish())).to.equal(c.expected_hex);
        });

        it("decodePacket(expected_hex) gives the input back", () => {
          expect(norm(decodePacket(unhex(c.expected_hex)))).to.deep.equal(norm(packet));
        });

        it("decodePacket honours start/end inside a larger buffer", () => {
          const body = unhex(`ffff${c.expected_hex}ffff`);
          expect(norm(decodePacket(body, 2, body.length - 2))).to.deep.equal(norm(packet));
        });

        it("decodePackets() on the wire bytes gives the input back", async () => {
          expect(await decodeAll([unhex(c.wire_with_length_prefix_computed_by_research)])).to.deep.equal([norm(packet)]);
        });
      });
    }

    it("encodeBatch of all three is their wire bytes concatenated, and decodes back in order", async () => {
      const packets = cases.map((c) => packetFromInput(c.input));
      const batch = encodeBatch(packets);
      expect(hex(batch)).to.equal(cases.map((c) => c.wire_with_length_prefix_computed_by_research).join(""));
      expect(await decodeAll([batch])).to.deep.equal(packets.map(norm));
    });

    it("encodeBatch([]) is empty", () => {
      expect(encodeBatch([]).length).to.equal(0);
    });
  });

  describe("derived-handshake.json mconnection_packets", () => {
    const v = handshake.mconnection_packets;
    const table: [string, string, Packet][] = [
      ["ping_delimited", v.ping_delimited, PING],
      ["pong_delimited", v.pong_delimited, PONG],
      ["msg_ch0x20_eof_abc_delimited", v.msg_ch0x20_eof_abc_delimited, msg(0x20, true, utf8("abc"))],
      // channel 0 is omitted from the encoding; the data is a PEX request (0a 00)
      ["msg_ch0x00_eof_pexrequest_delimited", v.msg_ch0x00_eof_pexrequest_delimited, msg(0, true, unhex("0a00"))],
    ];
    for (const [name, wire, packet] of table) {
      it(`${name}: encodes to ${wire} and decodes back`, async () => {
        expect(hex(written(packet))).to.equal(wire);
        expect(hex(encodeBatch([packet]))).to.equal(wire);
        expect(await decodeAll([unhex(wire)])).to.deep.equal([norm(packet)]);
      });
    }

    it("all four in one stream, cut byte by byte, decode in order", async () => {
      const all = unhex(table.map(([, w]) => w).join(""));
      const bytes = Array.from(all, (b) => Uint8Array.of(b));
      expect(await decodeAll(bytes)).to.deep.equal(table.map(([, , p]) => norm(p)));
    });

    it(`maxPacketMsgSize(1024) is the vector's ${v.max_packet_msg_size_payload1024_ch1_eof}`, () => {
      expect(maxPacketMsgSize(1024)).to.equal(v.max_packet_msg_size_payload1024_ch1_eof);
      expect(maxPacketMsgSize(1024)).to.equal(1034);
      expect(packetBodySize(msg(1, true, new Uint8Array(1024)))).to.equal(1034);
    });
  });

  describe("extracted.json mconnection_receive_limits (framing and decoding)", () => {
    const cases = new Map(extracted.mconnection_receive_limits.cases.map((c) => [c.name, c]));
    const get = (name: string): ReceiveLimitCase => {
      const c = cases.get(name);
      expect(c, `case "${name}" in extracted.json`).to.not.equal(undefined);
      return c!;
    };
    const max = maxPacketMsgSize(1024);

    it("payload exactly max: a 1034-byte packet is accepted by decodePackets(1034) and reassembled", async () => {
      const c = get("payload exactly max");
      const packet = msg(c.packet_msg!.channel_id, c.packet_msg!.eof, new Uint8Array(1024));
      const wire = written(packet);
      expect(packetBodySize(packet)).to.equal(c.packet_len_computed_by_research);
      expect(packetBodySize(packet)).to.equal(max);
      expect(await decodeAll([wire], max)).to.deep.equal([norm(packet)]);
      // the default maximum is the same one
      expect(await decodeAll([wire])).to.deep.equal([norm(packet)]);
      const messages = await lastValueFrom(
        from([wire]).pipe(
          decodePackets(max),
          filter((p): p is MsgPacket => p.type === "msg"),
          reassemble([{ id: 1, recvMessageCapacity: 22_020_096 }]),
          toArray(),
        ),
      );
      expect(messages).to.have.length(1);
      expect(messages[0].channelId).to.equal(1);
      expect(hex(messages[0].message)).to.equal(hex(new Uint8Array(1024)));
    });

    it("payload max+100: rejected with PacketTooLargeError (1134 > 1034)", () => {
      const c = get("payload max+100");
      const packet = msg(c.packet_msg!.channel_id, c.packet_msg!.eof, new Uint8Array(1124));
      expect(packetBodySize(packet)).to.equal(c.packet_len_computed_by_research);
      const r = runDecode([written(packet)], max);
      expect(r.packets).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(PacketTooLargeError);
      expect((r.error as PacketTooLargeError).announced).to.equal(1134);
      expect((r.error as PacketTooLargeError).max).to.equal(1034);
      expect((r.error as PacketTooLargeError).reason).to.equal("packet-too-large");
    });

    it("payload max+100: rejected as soon as the prefix arrives, before any of the body", () => {
      const packet = msg(1, true, new Uint8Array(1124));
      const wire = written(packet);
      const source = new Subject<Uint8Array>();
      const r = record(source.pipe(decodePackets(max)));
      source.next(wire.subarray(0, 1));
      expect(r.error, "after the first prefix byte").to.equal(undefined);
      source.next(wire.subarray(1, 2)); // the prefix is 2 bytes (1134 = 0xee 0x08)
      expect(r.error).to.be.instanceOf(PacketTooLargeError);
      expect(source.observed, "unsubscribed from the source").to.equal(false);
    });

    it("one byte more than 1034 is rejected, 1034 accepted (the limit is on the body, not the prefix)", () => {
      const ok = msg(1, true, new Uint8Array(1024)); // body 1034
      const tooBig = msg(1, true, new Uint8Array(1025)); // body 1035
      expect(packetBodySize(tooBig)).to.equal(1035);
      const r = runDecode([encodeBatch([ok, tooBig])], max);
      expect(r.packets).to.deep.equal([norm(ok)]);
      expect(r.error).to.be.instanceOf(PacketTooLargeError);
      expect((r.error as PacketTooLargeError).announced).to.equal(1035);
    });

    it("channel id 1025: encodes to the vector, decodes to channelId 1025 (not byte(1025) = 1)", async () => {
      const c = get("channel id 1025");
      const packet = msg(1025, true, utf8(c.packet_msg!.data_utf8!));
      expect(hex(written(packet))).to.equal(c.wire_hex_computed_by_research);
      const decoded = await decodeAll([unhex(c.wire_hex_computed_by_research!)]);
      expect(decoded).to.deep.equal([{ type: "msg", channelId: 1025, eof: true, data: hex(utf8("42")) }]);
    });

    it("channel id 1025: reassemble (receiver has channel 1) rejects it with UnknownChannelError, delivering nothing", () => {
      const c = get("channel id 1025");
      const r = record(
        from([unhex(c.wire_hex_computed_by_research!)]).pipe(
          decodePackets(max),
          filter((p): p is MsgPacket => p.type === "msg"),
          reassemble([{ id: 1, recvMessageCapacity: 4096 }]),
        ),
      );
      expect(r.values).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(UnknownChannelError);
      expect((r.error as UnknownChannelError).channelId).to.equal(1025);
      expect((r.error as UnknownChannelError).reason).to.equal("unknown-channel");
    });

    it("channel unknown to the receiver (2, receiver has 1): decodes, then reassemble rejects it", () => {
      const c = get("message on channel unknown to receiver");
      const packet = msg(c.packet_msg!.channel_id, c.packet_msg!.eof, utf8(c.packet_msg!.data_utf8!));
      const r = record(from([written(packet)]).pipe(decodePackets(max), filter((p): p is MsgPacket => p.type === "msg"), reassemble([{ id: 1, recvMessageCapacity: 4096 }])));
      expect(r.values).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(UnknownChannelError);
      expect((r.error as UnknownChannelError).channelId).to.equal(2);
    });

    it("negative channel ids and 256 are unknown channels too", () => {
      for (const id of [-1, -2147483648, 256]) {
        const r = record(from([msg(id, true, utf8("x"))]).pipe(reassemble([{ id: 1, recvMessageCapacity: 4096 }])));
        expect(r.error, `channel ${id}`).to.be.instanceOf(UnknownChannelError);
      }
    });

    it("raw garbage 0102030405: prefix 01, body 02 (field 0) → MalformedPacketError, nothing emitted", () => {
      const c = get("raw garbage");
      const r = runDecode([unhex(c.raw_wire_hex!)], max);
      expect(r.packets).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(MalformedPacketError);
      expect((r.error as MalformedPacketError).reason).to.equal("malformed-packet");
      // the same when the bytes come one at a time
      const bytes = Array.from(unhex(c.raw_wire_hex!), (b) => Uint8Array.of(b));
      expect(runDecode(bytes, max).error).to.be.instanceOf(MalformedPacketError);
    });

    it("non-Packet proto (a delimited tendermint.types.Header{chain_id: \"x\"}) → MalformedPacketError", () => {
      // gogoproto marshals Header with its non-nullable fields: version (1) `0a 00`, chain_id (2)
      // `12 01 78`, time (4) = Go's zero time (-62135596800 s), last_block_id (5) `2a 02 12 00`.
      // Field 2 reads as packet_pong whose content `78` is a varint tag with no value.
      const body = unhex("0a00120178220b088092b8c398feffffff012a021200");
      const wire = new Uint8Array([...encodeUvarint(body.length), ...body]);
      const r = runDecode([wire], max);
      expect(r.packets).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(MalformedPacketError);
    });

    it("fragments on channel 1 past its capacity: reassemble errors with MessageTooLargeError", () => {
      const fragments = [msg(1, false, new Uint8Array(1024)), msg(1, false, new Uint8Array(1024)), msg(1, true, new Uint8Array(1))];
      const r = record(from(fragments).pipe(reassemble([{ id: 1, recvMessageCapacity: 2048 }])));
      expect(r.values).to.deep.equal([]);
      expect(r.error).to.be.instanceOf(MessageTooLargeError);
    });
  });

  describe("extracted.json protoio_framing (length-prefix reader)", () => {
    const cases = new Map(extracted.protoio_framing.cases.map((c) => [c.name, c]));
    const get = (name: string): FramingCase => {
      const c = cases.get(name);
      expect(c, `case "${name}" in extracted.json`).to.not.equal(undefined);
      return c!;
    };

    it("length prefix overflow ff×9 7f (max 1 MiB): rejected, and not before the limit is exceeded", () => {
      const c = get("length prefix overflow");
      const raw = unhex(c.raw_hex!);
      const r = runDecode([raw], c.max_size);
      expect(r.error).to.be.instanceOf(ProtocolError);
      // ff ff ff already announces 2^21 - 1 > 2^20: rejected then as too large
      expect(r.error).to.be.instanceOf(PacketTooLargeError);
      const decoder = new FrameDecoder(c.max_size!);
      const fed: number[] = [];
      expect(() => {
        for (const b of raw) {
          fed.push(b);
          decoder.push(Uint8Array.of(b), () => expect.fail("no frame expected"));
        }
      }).to.throw(PacketTooLargeError);
      expect(fed.length).to.be.at.most(c.bytes_consumed as number);
      expect(fed.length).to.equal(3);
    });

    it("length prefix overflow with no usable limit: MalformedPacketError after exactly 10 bytes", () => {
      const c = get("length prefix overflow");
      const raw = unhex(c.raw_hex!);
      const decoder = new FrameDecoder(Number.MAX_VALUE);
      let consumed = 0;
      expect(() => {
        for (const b of raw) {
          consumed++;
          decoder.push(Uint8Array.of(b), () => expect.fail("no frame expected"));
          expect(decoder.buffered).to.be.at.most(10);
        }
      }).to.throw(MalformedPacketError);
      expect(consumed).to.equal(c.bytes_consumed);
      // and in one chunk
      expect(() => new FrameDecoder(Number.MAX_VALUE).push(raw, () => {})).to.throw(MalformedPacketError);
    });

    it("overflow hidden behind zero digits (80×9 02) is MalformedPacketError, after 10 bytes, with any max", () => {
      const raw = unhex("80808080808080808002");
      for (const max of [1034, 1048576]) {
        const r = runDecode([raw], max);
        expect(r.error, `max ${max}`).to.be.instanceOf(MalformedPacketError);
        const bytes = Array.from(raw, (b) => Uint8Array.of(b));
        const s = new Subject<Uint8Array>();
        const rec = record(s.pipe(decodePackets(max)));
        bytes.slice(0, 9).forEach((b) => s.next(b));
        expect(rec.error, "after 9 bytes").to.equal(undefined);
        s.next(bytes[9]);
        expect(rec.error).to.be.instanceOf(MalformedPacketError);
      }
    });

    it("truncated varint ffff: no error while the stream is open, TruncatedError when it completes", () => {
      const c = get("truncated varint");
      const s = new Subject<Uint8Array>();
      const rec = record(s.pipe(decodePackets(c.max_size)));
      for (const b of unhex(c.raw_hex!)) s.next(Uint8Array.of(b));
      expect(rec.error).to.equal(undefined);
      expect(rec.completed).to.equal(false);
      s.complete();
      expect(rec.error).to.be.instanceOf(TruncatedError);
      expect((rec.error as TruncatedError).reason).to.equal("truncated");
      expect(runDecode([unhex(c.raw_hex!)], c.max_size).error).to.be.instanceOf(TruncatedError);
    });

    it("short body: uvarint(100) then 60 bytes then EOF → TruncatedError at completion", () => {
      get("short body");
      const raw = new Uint8Array([...encodeUvarint(100), ...new Uint8Array(60)]);
      const s = new Subject<Uint8Array>();
      const rec = record(s.pipe(decodePackets()));
      s.next(raw.subarray(0, 30));
      s.next(raw.subarray(30));
      expect(rec.error).to.equal(undefined);
      s.complete();
      expect(rec.error).to.be.instanceOf(TruncatedError);
      expect(rec.values).to.deep.equal([]);
    });

    it("EOF after complete packets and a partial prefix: the packets, then TruncatedError", () => {
      const r = runDecode([unhex("020a00021200"), unhex("82")]);
      expect(r.packets).to.deep.equal([{ type: "ping" }, { type: "pong" }]);
      expect(r.error).to.be.instanceOf(TruncatedError);
    });

    it("EOF exactly between packets is a clean end", () => {
      const r = runDecode([unhex("020a00"), unhex("021200")]);
      expect(r.packets).to.deep.equal([{ type: "ping" }, { type: "pong" }]);
      expect(r.error).to.equal(undefined);
      expect(r.completed).to.equal(true);
    });

    it("max size 20: packets with a body of 20 pass, the first body of 21 is rejected (prefix not counted)", () => {
      get("max size");
      const p20 = msg(1, true, new Uint8Array(12)); // 1a 12 08 01 10 01 1a 0c + 12 bytes = 20
      const p21 = msg(1, true, new Uint8Array(13));
      expect(packetBodySize(p20)).to.equal(20);
      expect(packetBodySize(p21)).to.equal(21);
      const r = runDecode([encodeBatch([p20, PING, p20, p21, PONG])], 20);
      expect(r.packets).to.deep.equal([norm(p20), { type: "ping" }, norm(p20)]);
      expect(r.error).to.be.instanceOf(PacketTooLargeError);
      expect((r.error as PacketTooLargeError).announced).to.equal(21);
      expect((r.error as PacketTooLargeError).max).to.equal(20);
    });

    it("non-minimal length prefixes are accepted (80 00 = 0, 82 00 = 2, a 10-byte 2)", () => {
      expect(runDecode([unhex("82000a00")]).packets).to.deep.equal([{ type: "ping" }]);
      // 82 80×8 00: a ten-byte uvarint of 2 (the last byte may be 0 or 1)
      expect(runDecode([unhex("828080808080808080001200")]).packets).to.deep.equal([{ type: "pong" }]);
      const tenBytes = Array.from(unhex("828080808080808080001200"), (b) => Uint8Array.of(b));
      expect(runDecode(tenBytes).packets).to.deep.equal([{ type: "pong" }]);
      // 80 00 frames an empty body: legal framing, but a Packet with no type → malformed
      const empty = runDecode([unhex("8000")]);
      expect(empty.error).to.be.instanceOf(MalformedPacketError);
    });

    it("a zero-length body (00) is an unknown message type → MalformedPacketError", () => {
      expect(runDecode([unhex("00")]).error).to.be.instanceOf(MalformedPacketError);
      expect(() => decodePacket(new Uint8Array(0))).to.throw(MalformedPacketError);
    });
  });
});
