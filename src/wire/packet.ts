/**
 * The MConnection's unit on the wire: `tendermint.p2p.Packet`, a oneof of ping, pong and a
 * message fragment. This module holds our in-memory form and its exact sizes.
 * @module
 */
import { uvarintSize } from "./uvarint.js";

/** A keepalive request. The peer answers with a {@link PongPacket}. */
export interface PingPacket {
  readonly type: "ping";
}

/** The answer to a ping. */
export interface PongPacket {
  readonly type: "pong";
}

/** A fragment (at most `maxPacketMsgPayloadSize` bytes) of one channel's message. */
export interface MsgPacket {
  readonly type: "msg";
  /** The channel, 0–255 (a decoded packet may carry any int32; the receiver rejects it). */
  readonly channelId: number;
  /** True on the last fragment of a message. */
  readonly eof: boolean;
  /** The fragment's bytes. */
  readonly data: Uint8Array;
}

/** One `tendermint.p2p.Packet`. */
export type Packet = PingPacket | PongPacket | MsgPacket;

/** The ping packet (there is only one). */
export const PING: PingPacket = Object.freeze({ type: "ping" });
/** The pong packet (there is only one). */
export const PONG: PongPacket = Object.freeze({ type: "pong" });

/** Size of the `PacketMsg` body (without the Packet wrapper) for these fields. */
export function packetMsgBodySize(channelId: number, eof: boolean, dataLength: number): number {
  let size = 0;
  if (channelId !== 0) size += 1 + (channelId < 0 ? 10 : uvarintSize(channelId));
  if (eof) size += 2;
  if (dataLength > 0) size += 1 + uvarintSize(dataLength) + dataLength;
  return size;
}

/** Size of the encoded `Packet` body (without the length prefix). */
export function packetBodySize(packet: Packet): number {
  if (packet.type !== "msg") return 2;
  const inner = packetMsgBodySize(packet.channelId, packet.eof, packet.data.length);
  return 1 + uvarintSize(inner) + inner;
}

/** Size on the wire: length prefix plus body. */
export function packetWireSize(packet: Packet): number {
  const body = packetBodySize(packet);
  return uvarintSize(body) + body;
}

/**
 * The largest `Packet` body a receiver accepts for a given payload size: a final fragment of
 * `payloadSize` bytes on channel 1, as CometBFT computes it (1034 for the default 1024).
 */
export function maxPacketMsgSize(payloadSize: number): number {
  const inner = packetMsgBodySize(1, true, payloadSize);
  return 1 + uvarintSize(inner) + inner;
}

/**
 * The payload size to use on `channelId` so that its packets never exceed
 * {@link maxPacketMsgSize}: channel ids of 0x80 and above take a second varint byte, so their
 * fragments are one byte shorter (a CometBFT receiver would reject a full-size one).
 */
export function payloadSizeForChannel(channelId: number, payloadSize: number): number {
  return payloadSize - (uvarintSize(channelId) - 1);
}
