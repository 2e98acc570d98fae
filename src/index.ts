/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * CometBFT's peer-to-peer stack for TypeScript, built on RxJS: what an application uses.
 *
 * A node is a {@link Switch}: reactors declare channels, {@link Peer}s carry them, and
 * {@link secretAuthenticator} runs SecretConnection and the NodeInfo handshake on every
 * connection. Underneath, {@link MConnection} multiplexes prioritised channels over any
 * {@link ByteDuplex} ({@link socketDuplex} for a TCP socket, {@link duplexPair} in memory), and
 * {@link secretHandshake} encrypts one. Errors are typed ({@link MConnError} and its subclasses).
 *
 * More in subpaths: `rx-mconn/operators` (the RxJS operators MConnection is built from),
 * `rx-mconn/metrics` (Prometheus, with `prom-client` installed beside), `rx-mconn/proto`
 * (CometBFT's generated schemas, for {@link protoCodec}), `rx-mconn/testing` (connected pairs in
 * virtual time). Importing this module loads no native code: libsodium is loaded by the first
 * handshake or node key that needs it.
 * @module rx-mconn
 */
export * from "./errors.js";
export type { ByteDuplex } from "./duplex/byte-duplex.js";
export { socketDuplex } from "./duplex/socket-duplex.js";
export { duplexPair, type DuplexPairOptions } from "./duplex/duplex-pair.js";
export { defaults, verifyConfig, type MConnectionConfig } from "./mconn/config.js";
export { channelDefaults, type ChannelDescriptor, type ResolvedChannelDescriptor } from "./mconn/channel-descriptor.js";
export type { CloseReason } from "./mconn/close-reason.js";
export {
  MConnection,
  type ChannelStatus,
  type ConnectionChannel,
  type KeepaliveEvent,
  type MConnectionOptions,
} from "./mconn/mconnection.js";
export { MemoryBudget, DEFAULT_MAX_RECEIVE_BUFFER, MEMORY_FLOOR_PER_CHANNEL, type BudgetAccount, type BudgetAccountOptions } from "./mconn/memory-budget.js";
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
export { secretAuthenticator } from "./p2p/secret-authenticator.js";
export { isNodeId, parseHostPort, parseNetAddress, formatNetAddress, type NetAddress, type NetAddressLike } from "./p2p/netaddress.js";
export type { NodeInfo } from "./p2p/node-info.js";
export { backoffDefaults, type BackoffOptions } from "./p2p/backoff.js";
export { type Authenticate, type AuthenticatedDuplex } from "./p2p/upgrade.js";
export type { InboundFailure } from "./p2p/transport.js";
export { Peer, type Outbound, type Dropped, type PeerStatus } from "./p2p/peer.js";
export { protoCodec, type MessageCodec, type ProtoMessageFns, type ProtoWriter, type SwitchChannelDescriptor, type Envelope, type RemovalReason, type Reactor } from "./p2p/reactor.js";
export type { HostLimits } from "./p2p/admission/host-admission.js";
export { Switch, switchDefaults, verifySwitchOptions, type PeerEvent, type Rejection, type DialOptions, type BroadcastResult, type SwitchOptions, type ResolvedSwitchOptions, type SwitchChannel, type Discovery, type DiscoveryHost } from "./p2p/switch.js";
export { defaultHighWaterMark, type MessageIterator, type PullOptions } from "./p2p/pull-messages.js";
export { COMETBFT_CHANNELS, cometbftChannelName, type CometbftChannel, type CometbftChannelId } from "./cometbft/channel-table.js";
export { silentLogger, type Logger, type LogFn } from "./logger.js";
