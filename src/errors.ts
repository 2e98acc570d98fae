/**
 * Every error rx-mconn produces is an {@link MConnError}, gathered here from each layer's own
 * `errors.ts` (wire, duplex, mconn, secret, p2p). Errors caused by what a peer sent are
 * {@link ProtocolError}s, every timeout a {@link TimeoutError}, a bug of ours an
 * {@link InternalError}; each condition has its own subclass, so that callers tell them apart
 * with `instanceof` and read its literal `reason` code in logs and metrics. A bad argument or
 * option given to the public API throws {@link ConfigError}. The one exception: `encodeBatch`
 * of `rx-mconn/operators`, a hot-path encoder, throws a `RangeError` for a negative channel id.
 *
 * This module is for users: inside rx-mconn, each layer imports its own `errors.ts` (or a lower
 * layer's) and `error-base.ts`, which `npm run deps:check` enforces.
 * @module
 */
export { MConnError, ConfigError, ProtocolError, TimeoutError, InternalError, type PeerRef, type TimeoutStage } from "./error-base.js";
export { PacketTooLargeError, MalformedPacketError, TruncatedError } from "./wire/errors.js";
export { TransportError } from "./duplex/errors.js";
export { UnknownChannelError, MessageTooLargeError, PingFloodError, PongTimeoutError, WriteStallError, MemoryBudgetError } from "./mconn/errors.js";
export { HandshakeError, FrameAuthenticationError, FrameLengthError, EmptyFramesError, NonceExhaustedError, NodeKeyError, type HandshakeRule } from "./secret/errors.js";
export {
  NetAddressError,
  NodeInfoError,
  PeerRejectedError,
  DialError,
  DecodeError,
  ReactorError,
  FilterError,
  SubscriberError,
  SendSourceError,
  SendBufferFullError,
  PeerEndedError,
  DialAbortedError,
  type NodeInfoRule,
  type RejectionRule,
  type ReactorHook,
  type FilterName,
  type GuardedStream,
} from "./p2p/errors.js";
