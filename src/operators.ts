/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * The RxJS operators MConnection is composed of, for building your own pipeline over a
 * {@link ByteDuplex}: inbound, bytes → {@link decodePacketBatches} → {@link limitPingRate} →
 * {@link reassembleBatches} → whole messages per channel; outbound, {@link scheduleOutbound} merges
 * the channels' outbound streams by priority into the packets a writer demands (its step,
 * {@link batchCutter}, cuts a batch from {@link OutboundChannel} queues) and {@link encodeBatch}
 * writes them;
 * {@link keepalive} times pings and pongs; {@link limitIncoming} paces reads to a byte rate.
 * Each takes an injected `SchedulerLike` where it waits, and is marble-tested.
 * @module rx-mconn/operators
 */
export type { ByteDuplex } from "./duplex/byte-duplex.js";
export { PING, PONG, maxPacketMsgSize, type MsgPacket, type Packet, type PingPacket, type PongPacket } from "./wire/packet.js";
export { decodePacketBatches, decodePackets } from "./wire/decode-packets.js";
export { encodeBatch } from "./wire/encode-packets.js";
export { reassemble, reassembleBatches, type ChannelMessage, type ReassemblyChannel } from "./mconn/reassemble.js";
export { limitPingRate, type PingRateOptions } from "./mconn/limit-ping-rate.js";
export { keepalive, type KeepaliveOptions } from "./mconn/keepalive.js";
export { scheduleOutbound, type OutboundBatch, type OutboundSource, type ScheduleOutboundOptions } from "./mconn/schedule-outbound.js";
export { batchCutter, type BatchOptions } from "./mconn/next-batch.js";
export { OutboundChannel } from "./mconn/outbound-channel.js";
export { limitIncoming, type ReadingDuplex } from "./mconn/limit-incoming.js";
export { TokenBucket, burstFor } from "./mconn/token-bucket.js";
