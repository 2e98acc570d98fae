/**
 * The `Packet` hot path: writes length-prefixed packets straight into an output buffer,
 * byte-identical to the generated protobuf code (a property test holds it to that).
 * @module
 */
import type { Packet } from "./packet.js";
import { packetMsgBodySize } from "./packet.js";
import { uvarintSize, writeUvarint } from "./uvarint.js";

const TAG_PING = 0x0a; // field 1, length-delimited
const TAG_PONG = 0x12; // field 2, length-delimited
const TAG_MSG = 0x1a; // field 3, length-delimited
const TAG_CHANNEL = 0x08; // PacketMsg.channel_id, varint
const TAG_EOF = 0x10; // PacketMsg.eof, varint
const TAG_DATA = 0x1a; // PacketMsg.data, length-delimited

/**
 * Writes `uvarint(len) ‖ Packet{PacketMsg{channelId, eof, data}}` at `offset`; returns the
 * offset after it. Zero fields are omitted as proto3 requires (channel 0, eof false, empty data).
 */
function writePacketMsg(
  out: Uint8Array,
  offset: number,
  channelId: number,
  eof: boolean,
  data: Uint8Array,
): number {
  const inner = packetMsgBodySize(channelId, eof, data.length);
  const body = 1 + uvarintSize(inner) + inner;
  offset = writeUvarint(out, offset, body);
  out[offset++] = TAG_MSG;
  offset = writeUvarint(out, offset, inner);
  if (channelId !== 0) {
    out[offset++] = TAG_CHANNEL;
    offset = writeUvarint(out, offset, channelId);
  }
  if (eof) {
    out[offset++] = TAG_EOF;
    out[offset++] = 1;
  }
  if (data.length > 0) {
    out[offset++] = TAG_DATA;
    offset = writeUvarint(out, offset, data.length);
    out.set(data, offset);
    offset += data.length;
  }
  return offset;
}

/** Writes any packet, length-prefixed, at `offset`; returns the offset after it. */
export function writePacket(out: Uint8Array, offset: number, packet: Packet): number {
  switch (packet.type) {
    case "ping":
      out[offset] = 2;
      out[offset + 1] = TAG_PING;
      out[offset + 2] = 0;
      return offset + 3;
    case "pong":
      out[offset] = 2;
      out[offset + 1] = TAG_PONG;
      out[offset + 2] = 0;
      return offset + 3;
    case "msg":
      if (packet.channelId < 0) throw new RangeError(`channel id ${packet.channelId} is negative`);
      return writePacketMsg(out, offset, packet.channelId, packet.eof, packet.data);
  }
}
