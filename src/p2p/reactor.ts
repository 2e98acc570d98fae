/**
 * Reactors: the handlers of channels, in the shape CometBFT's Go code has them, for code ported
 * from Go. The Rx face (`switch.channel(id).messages$`) is wired to the same machinery.
 * @module
 */
import type { ChannelDescriptor } from "../mconn/channel-descriptor.js";
import type { CloseReason } from "../mconn/close-reason.js";
import type { Peer } from "./peer.js";

/** Turns a channel's bytes into messages and back (e.g. a ts-proto message type). */
export interface MessageCodec<T> {
  /** The bytes of `message`. */
  encode(message: T): Uint8Array;
  /** The message in `bytes`; throws when they do not decode. */
  decode(bytes: Uint8Array): T;
}

/** What a ts-proto `encode` returns. */
export interface ProtoWriter {
  /** The encoded bytes. */
  finish(): Uint8Array;
}

/** A ts-proto generated message type (`encode(m).finish()`, `decode(bytes)`). */
export interface ProtoMessageFns<T> {
  /** Starts encoding `message`; `finish()` gives the bytes. */
  encode(message: T): ProtoWriter;
  /** Decodes `input`; throws when it does not decode. */
  decode(input: Uint8Array): T;
}

/** A {@link MessageCodec} over a ts-proto generated message type. */
export function protoCodec<T>(fns: ProtoMessageFns<T>): MessageCodec<T> {
  return { encode: (m) => fns.encode(m).finish(), decode: (b) => fns.decode(b) };
}

/** A channel as a switch declares it: a descriptor, optionally with a codec for its messages. */
export interface SwitchChannelDescriptor extends ChannelDescriptor {
  /** Decodes received messages (the envelope's `message` is then the decoded value). */
  readonly codec?: MessageCodec<unknown>;
}

/** A message received from a peer on a channel. */
export interface Envelope<T = Uint8Array> {
  readonly peer: Peer;
  readonly channelId: number;
  /** The bytes, or the decoded message when the channel has a codec. */
  readonly message: T;
}

/** Why a peer left: the connection's {@link CloseReason}. */
export type RemovalReason = CloseReason;

/**
 * A reactor owns channels and reacts to peers and their messages. Every method is optional but
 * `channels`. Methods run synchronously on the connection's receive path; a method that throws
 * stops that peer with the error (as a panic does in CometBFT).
 */
export interface Reactor {
  /** The channels this reactor owns (no other reactor may declare them). */
  readonly channels: readonly SwitchChannelDescriptor[];
  /** Before the peer starts: set up per-peer state. */
  initPeer?(peer: Peer): void;
  /** The peer is connected and in the peer set. */
  addPeer?(peer: Peer): void;
  /** The peer has left, with the reason. */
  removePeer?(peer: Peer, reason: RemovalReason): void;
  /** A message arrived on one of this reactor's channels. */
  receive?(envelope: Envelope<unknown>): void;
}
