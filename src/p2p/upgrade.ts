/**
 * Turns a fresh connection into a checked one: authenticate (SecretConnection), then exchange
 * and check NodeInfo, as CometBFT's transport does before a connection becomes a peer.
 * @module
 */
import { asyncScheduler, type SchedulerLike } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { readDelimited } from "../wire/read-delimited.js";
import { MConnError, namePeer, TimeoutError } from "../error-base.js";
import { PacketTooLargeError } from "../wire/errors.js";
import { encodeUvarint } from "../wire/uvarint.js";
import { NodeInfoError, PeerRejectedError } from "./errors.js";
import { checkCompatible } from "./admission/compatibility.js";
import { decodeNodeInfo, encodeNodeInfo, MAX_NODE_INFO_SIZE, validateNodeInfo, type NodeInfo } from "./node-info.js";

/** An authenticated duplex: what a secret handshake yields. */
export interface AuthenticatedDuplex {
  /** The encrypted stream. */
  readonly duplex: ByteDuplex;
  /** The remote's node ID, derived from the key it proved it holds. */
  readonly remoteId: string;
  /** Whether the `early` bytes were sent; if not, the caller writes them itself afterwards. */
  readonly sentEarly?: boolean;
}

/**
 * Authenticates a raw duplex (a SecretConnection handshake). `early`, when given, may be sent
 * together with our own authentication message, before the remote's is checked, saving a
 * write and a round trip; an authenticator that does so says it with `sentEarly`.
 */
export type Authenticate = (duplex: ByteDuplex, early?: Uint8Array) => Promise<AuthenticatedDuplex>;

/** A connection that passed every check, ready for an MConnection. */
export interface UpgradedConnection {
  readonly duplex: ByteDuplex;
  readonly nodeInfo: NodeInfo;
  readonly remoteId: string;
}

/** Options of {@link upgrade}. */
export interface UpgradeOptions {
  readonly authenticate: Authenticate;
  /** What we tell the peer about ourselves. */
  readonly ourInfo: NodeInfo;
  /** For outbound connections: the ID we dialed; the authenticated key must match it. */
  readonly expectedId?: string;
  /** Bound on the NodeInfo exchange in ms (CometBFT: 3 s). */
  readonly handshakeTimeout: number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Authenticates, checks the dialed ID, exchanges NodeInfo (ours written while theirs is read,
 * at most 10240 bytes), and checks theirs: well-formed, its ID equal to the authenticated one,
 * not ourselves, compatible with ours. Destroys the duplex on any failure.
 *
 * Without `expectedId` (an inbound connection), our NodeInfo goes out with our authentication
 * message: anyone may complete a handshake with a key of their own and receive it, so sending it
 * before the remote's signature is checked reveals nothing more, and it saves a write, a sealed
 * frame and a round trip. When dialing a particular ID, it is sent only once the remote proved
 * that ID, as CometBFT does.
 * @throws {NodeInfoError | PeerRejectedError | TimeoutError} or the authentication's error; an
 * error raised once the remote is authenticated names it (`peer`).
 */
export async function upgrade(raw: ByteDuplex, options: UpgradeOptions): Promise<UpgradedConnection> {
  let duplex = raw;
  let remoteId: string | undefined;
  try {
    const body = encodeNodeInfo(options.ourInfo);
    const ours = Buffer.concat([encodeUvarint(body.length), body]);
    const auth = options.expectedId === undefined ? await options.authenticate(raw, ours) : await options.authenticate(raw);
    duplex = auth.duplex;
    remoteId = auth.remoteId;
    if (options.expectedId !== undefined && auth.remoteId !== options.expectedId)
      throw new PeerRejectedError("dial-id-mismatch", `dialed ${options.expectedId} but the peer authenticated as ${auth.remoteId}`);
    if (auth.sentEarly !== true) duplex.write(ours);
    const { message, rest } = await readDelimited(duplex, {
      maxSize: MAX_NODE_INFO_SIZE,
      timeout: options.handshakeTimeout,
      onTimeout: () => new TimeoutError("node-info", options.handshakeTimeout),
      scheduler: options.scheduler ?? asyncScheduler,
    }).catch((err: unknown) => {
      if (err instanceof PacketTooLargeError) throw new NodeInfoError("too-large", `NodeInfo of ${err.announced} bytes exceeds ${MAX_NODE_INFO_SIZE}`);
      throw err;
    });
    const theirs = decodeNodeInfo(message);
    validateNodeInfo(theirs);
    if (theirs.nodeId !== auth.remoteId)
      throw new NodeInfoError("id-mismatch", `NodeInfo claims ID ${theirs.nodeId} but the peer authenticated as ${auth.remoteId}`);
    if (theirs.nodeId === options.ourInfo.nodeId) throw new NodeInfoError("self", "connected to ourselves");
    checkCompatible(options.ourInfo, theirs);
    return { duplex: rest, nodeInfo: theirs, remoteId: auth.remoteId };
  } catch (err) {
    duplex.destroy();
    if (duplex !== raw) raw.destroy();
    throw err instanceof MConnError && remoteId !== undefined ? namePeer(err, { id: remoteId, address: raw.remote }) : err;
  }
}
