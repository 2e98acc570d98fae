/**
 * Decodes one `Packet` body (the bytes after the length prefix). Accepts any valid proto3
 * encoding (unknown fields skipped, fields in any order, last value wins) and rejects everything
 * else with a {@link MalformedPacketError}. The hot path: no allocation beyond the result, and
 * `data` is a view into `body`.
 * @module
 */
import { MalformedPacketError } from "./errors.js";
import { PING, PONG, type Packet } from "./packet.js";
import { UvarintReader } from "./uvarint.js";

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * A cursor over one buffer; methods throw {@link MalformedPacketError} past its end. One is
 * reused by every call of {@link decodePacket} (set to its body with `over`): decoding runs to
 * the end before it returns, so no two calls share it at once, and a packet costs no cursor.
 */
class Reader {
  pos = 0;
  buf: Uint8Array = EMPTY;
  end = 0;
  private readonly varint = new UvarintReader();

  /** Points the cursor at `buf[start, end)`. */
  over(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  /** A uvarint as a number (exact up to 2^53; larger values only need to compare as large). */
  uvarint(): number {
    const after = this.varint.reset().read(this.buf, this.pos, this.end);
    if (after < 0) throw new MalformedPacketError("truncated varint");
    this.pos = after;
    return this.varint.value;
  }

  /** A varint read as protobuf's int32: the low 32 bits, two's complement. */
  int32(): number {
    let lo = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedPacketError("truncated varint");
      const b = this.buf[this.pos++];
      if (i === 9 && b > 1) throw new MalformedPacketError("varint overflows 64 bits");
      if (i < 5) lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return lo | 0;
    }
    throw new MalformedPacketError("varint overflows 64 bits");
  }

  /** The end offset of a length-delimited field starting here. */
  delimitedEnd(): number {
    const len = this.uvarint();
    if (len > this.end - this.pos) throw new MalformedPacketError("length-delimited field overruns its message");
    return this.pos + len;
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uvarint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.pos = this.delimitedEnd();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new MalformedPacketError(`invalid wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) throw new MalformedPacketError("truncated fixed-size field");
    this.pos += n;
  }
}

const reader = new Reader();

function decodeMsg(r: Reader, end: number): Packet {
  let channelId = 0;
  let eof = false;
  let data: Uint8Array = EMPTY;
  while (r.pos < end) {
    const tag = r.uvarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === 0) channelId = r.int32();
    else if (field === 2 && wireType === 0) eof = r.uvarint() !== 0;
    else if (field === 3 && wireType === 2) {
      const dataEnd = r.delimitedEnd();
      // A plain Uint8Array view: `Buffer#subarray` would build a Buffer, several times dearer.
      data = new Uint8Array(r.buf.buffer, r.buf.byteOffset + r.pos, dataEnd - r.pos);
      r.pos = dataEnd;
    } else if (field === 0) throw new MalformedPacketError("field number 0");
    else r.skip(wireType);
  }
  if (r.pos !== end) throw new MalformedPacketError("field overruns PacketMsg");
  return { type: "msg", channelId, eof, data };
}

/**
 * Decodes `body[start, end)` as a `Packet`.
 * @throws {MalformedPacketError} on invalid protobuf or a packet with no type set.
 */
export function decodePacket(body: Uint8Array, start = 0, end = body.length): Packet {
  try {
    return decodeBody(reader.over(body, start, end), end);
  } finally {
    reader.buf = EMPTY; // keeps no reference to the caller's chunk
  }
}

function decodeBody(r: Reader, end: number): Packet {
  let packet: Packet | undefined;
  while (r.pos < end) {
    const tag = r.uvarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field >= 1 && field <= 3 && wireType === 2) {
      const fieldEnd = r.delimitedEnd();
      if (field === 3) packet = decodeMsg(r, fieldEnd);
      else {
        // PacketPing / PacketPong have no fields; any content is unknown fields to skip.
        while (r.pos < fieldEnd) {
          const inner = r.uvarint();
          if (inner < 8) throw new MalformedPacketError("field number 0");
          r.skip(inner & 7);
        }
        if (r.pos !== fieldEnd) throw new MalformedPacketError("field overruns its message");
        packet = field === 1 ? PING : PONG;
      }
    } else if (field === 0) throw new MalformedPacketError("field number 0");
    else r.skip(wireType);
  }
  if (packet === undefined) throw new MalformedPacketError("packet has no type set (unknown message type)");
  return packet;
}
