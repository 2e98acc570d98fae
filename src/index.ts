/**
 * rx-mconn: CometBFT's multiplexed P2P connection for TypeScript, built on RxJS.
 *
 * The one public entry point. Layers, bottom up: {@link ByteDuplex} (bytes in and out),
 * the wire codec ({@link decodePackets}, {@link encodeBatch}), {@link MConnection}
 * (channels, priority scheduler, keepalive, rate limits), and SecretConnection
 * ({@link secretHandshake}: CometBFT's authenticated encryption, as a duplex layer), and the
 * peer layer ({@link Switch}, {@link Peer}, reactors, {@link TcpTransport}, NodeInfo).
 * Prometheus metrics: {@link switchMetrics}. In-memory pairs for tests: `rx-mconn/testing`.
 * @module
 */
export * from "./errors.js";
export type { ByteDuplex } from "./duplex/byte-duplex.js";
export { socketDuplex } from "./duplex/socket-duplex.js";
export { duplexPair, seededRandom, type DuplexPairOptions } from "./duplex/duplex-pair.js";
export { uvarintSize, writeUvarint, encodeUvarint } from "./wire/uvarint.js";
export {
  PING,
  PONG,
  maxPacketMsgSize,
  packetBodySize,
  packetMsgBodySize,
  packetWireSize,
  payloadSizeForChannel,
  type MsgPacket,
  type Packet,
  type PingPacket,
  type PongPacket,
} from "./wire/packet.js";
export { writePacket, writePacketMsg } from "./wire/encode-packet.js";
export { decodePacket } from "./wire/decode-packet.js";
export { FrameDecoder, type FrameHandler } from "./wire/frame-decoder.js";
export { decodePacketBatches, decodePackets } from "./wire/decode-packets.js";
export { encodeBatch } from "./wire/encode-packets.js";
export { defaults, verifyConfig, type MConnectionConfig } from "./mconn/config.js";
export {
  channelDefaults,
  resolveChannels,
  type ChannelDescriptor,
  type ResolvedChannelDescriptor,
} from "./mconn/channel-descriptor.js";
export { OutboundChannel } from "./mconn/outbound-channel.js";
export { prioritySchedule, type PriorityScheduleOptions } from "./mconn/priority-schedule.js";
export { selectChannel } from "./mconn/next-batch.js";
export { reassemble, reassembleBatches, type ChannelMessage, type ReassemblyChannel } from "./mconn/reassemble.js";
export { keepalive, type KeepaliveOptions } from "./mconn/keepalive.js";
export { limitPingRate, type PingRateOptions } from "./mconn/limit-ping-rate.js";
export { TokenBucket, burstFor } from "./mconn/token-bucket.js";
export { limitIncoming } from "./mconn/limit-incoming.js";
export type { CloseReason } from "./mconn/close-reason.js";
export {
  MConnection,
  type ChannelStatus,
  type ConnectionChannel,
  type KeepaliveEvent,
  type MConnectionOptions,
} from "./mconn/mconnection.js";
export { HandshakeError, FrameAuthenticationError, FrameLengthError, NonceExhaustedError, NodeKeyError, type HandshakeRule } from "./secret/errors.js";
export {
  NODE_KEY_TYPE,
  formatNodeKey,
  generateNodeKey,
  loadNodeKey,
  loadOrGenerateNodeKey,
  nodeIdOf,
  nodeKeyFromSeed,
  parseNodeKey,
  saveNodeKey,
  verifyEd25519,
  type NodeKey,
} from "./secret/node-key.js";
export {
  DEFAULT_SECRET_HANDSHAKE_TIMEOUT,
  secretHandshake,
  type SecretConnection,
  type SecretHandshakeOptions,
} from "./secret/handshake.js";
export { secretDuplex, type SecretKeys } from "./secret/secret-duplex.js";
export { FRAME_DATA_MAX, FRAME_PLAIN_SIZE, FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "./secret/frame-cipher.js";
export { Transcript } from "./secret/merlin.js";
export { Strobe128, Flag as StrobeFlag, Op as StrobeOp } from "./secret/strobe.js";
export { secretAuthenticator } from "./secret/secret-authenticator.js";
export { NetAddressError, NodeInfoError, PeerRejectedError, DialError, type NodeInfoRule, type RejectionRule } from "./p2p/errors.js";
export { isNodeId, parseHostPort, parseNetAddress, formatNetAddress, type NetAddress } from "./p2p/netaddress.js";
export {
  MAX_NODE_INFO_SIZE,
  MAX_NUM_CHANNELS,
  BLOCK_PROTOCOL,
  P2P_PROTOCOL,
  encodeNodeInfo,
  decodeNodeInfo,
  validateNodeInfo,
  checkCompatible,
  type NodeInfo,
} from "./p2p/node-info.js";
export { backoffDefaults, reconnectDelay, retryWithBackoff, type BackoffOptions } from "./p2p/backoff.js";
export { upgrade, HandshakeTimeoutError, type Authenticate, type AuthenticatedDuplex, type UpgradedConnection, type UpgradeOptions } from "./p2p/upgrade.js";
export { TcpTransport, type TransportConnection, type InboundFailure, type TransportOptions } from "./p2p/transport.js";
export { Peer, type Outbound, type Dropped, type PeerStatus } from "./p2p/peer.js";
export { protoCodec, type MessageCodec, type ProtoMessageFns, type ProtoWriter, type SwitchChannelDescriptor, type Envelope, type RemovalReason, type Reactor } from "./p2p/reactor.js";
export { Switch, DecodeError, ReactorError, type PeerEvent, type SwitchOptions, type SwitchChannel } from "./p2p/switch.js";
export { COMETBFT_CHANNELS, cometbftChannelName, type CometbftChannel } from "./p2p/cometbft-channels.js";
export { switchMetrics, type SwitchMetrics, type SwitchMetricsOptions } from "./metrics/switch-metrics.js";
export { serveMetrics, type MetricsServer } from "./metrics/serve-metrics.js";
export { silentLogger, type Logger, type LogFn } from "./logger.js";
