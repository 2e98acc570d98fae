/**
 * `DefaultNodeInfo`: what two nodes tell each other right after the secret handshake, and the
 * rules a well-formed copy follows (CometBFT's `Validate`; whether a peer's is compatible with
 * ours is admission's, in `admission/compatibility.ts`).
 * @module
 */
import { DefaultNodeInfo as DefaultNodeInfoProto } from "../proto/tendermint/p2p/types.js";
import { NodeInfoError } from "./errors.js";
import { isNodeId, parseNetAddress } from "./netaddress.js";

/** A node's self-description. */
export interface NodeInfo {
  /** Protocol versions: p2p (CometBFT v0.38: 8, v1: 9), block (11), app. Only `block` must match. */
  readonly protocolVersion: { readonly p2p: number; readonly block: number; readonly app: number };
  /** The node ID (40 lowercase hex characters). */
  readonly nodeId: string;
  /** Where the node listens, `host:port`, optionally with a `tcp://` prefix. */
  readonly listenAddr: string;
  /** The network (a CometBFT chain id); peers must share it. */
  readonly network: string;
  /** Software version, printable ASCII. */
  readonly version: string;
  /** The channel ids the node speaks (at most 16, no duplicates). */
  readonly channels: Uint8Array;
  /** A human-readable name, printable ASCII, not blank. */
  readonly moniker: string;
  /** `txIndex` ("", "on" or "off") and `rpcAddress`. */
  readonly other: { readonly txIndex: string; readonly rpcAddress: string };
}

/** Largest encoded NodeInfo accepted from a peer (CometBFT's `maxNodeInfoSize`). */
export const MAX_NODE_INFO_SIZE = 10240;
/** Most channels a NodeInfo may list (CometBFT's `maxNumChannels`). */
const MAX_NUM_CHANNELS = 16;
/** CometBFT's block protocol version (v0.38 and v1). */
export const BLOCK_PROTOCOL = 11;
/** The p2p protocol version we announce (CometBFT v0.38's). */
export const P2P_PROTOCOL = 8;

/**
 * Encodes a NodeInfo as the protobuf `tendermint.p2p.DefaultNodeInfo` (no length prefix),
 * through the generated encoder. Versions must be non-negative integers.
 * @throws {RangeError} when a version is not an integer.
 */
export function encodeNodeInfo(info: NodeInfo): Uint8Array {
  return DefaultNodeInfoProto.encode({
    protocolVersion: {
      p2p: BigInt(info.protocolVersion.p2p),
      block: BigInt(info.protocolVersion.block),
      app: BigInt(info.protocolVersion.app),
    },
    defaultNodeId: info.nodeId,
    listenAddr: info.listenAddr,
    network: info.network,
    version: info.version,
    channels: info.channels,
    moniker: info.moniker,
    other: { txIndex: info.other.txIndex, rpcAddress: info.other.rpcAddress },
  }).finish();
}

/**
 * Decodes a `DefaultNodeInfo`.
 * @throws {NodeInfoError} (`undecodable`) when the bytes are not one.
 */
export function decodeNodeInfo(bytes: Uint8Array): NodeInfo {
  let p: DefaultNodeInfoProto;
  try {
    p = DefaultNodeInfoProto.decode(bytes);
  } catch (err) {
    throw new NodeInfoError("undecodable", `NodeInfo does not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    protocolVersion: {
      p2p: Number(p.protocolVersion?.p2p ?? 0n),
      block: Number(p.protocolVersion?.block ?? 0n),
      app: Number(p.protocolVersion?.app ?? 0n),
    },
    nodeId: p.defaultNodeId,
    listenAddr: p.listenAddr,
    network: p.network,
    version: p.version,
    channels: p.channels.slice(),
    moniker: p.moniker,
    other: { txIndex: p.other?.txIndex ?? "", rpcAddress: p.other?.rpcAddress ?? "" },
  };
}

/** Printable ASCII (0x20–0x7e) and not only spaces. */
function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]+$/.test(text) && text.trim() !== "";
}

/**
 * Every rule of CometBFT's `Validate` that `info` breaks (none: an empty list): a well-formed ID
 * and listen address (with a port), printable version and moniker, at most 16 distinct
 * channels, tx_index "", "on" or "off", a printable RPC address or none, and — when `encoded`
 * is given — at most 10,240 bytes encoded.
 */
export function nodeInfoProblems(info: NodeInfo, encodedSize?: number): NodeInfoError[] {
  const problems: NodeInfoError[] = [];
  if (!isNodeId(info.nodeId)) problems.push(new NodeInfoError("node-id", `node ID ${JSON.stringify(info.nodeId)} is not 40 hex characters`));
  try {
    parseNetAddress(`${info.nodeId}@${info.listenAddr.replace(/^[a-z]+:\/\//, "")}`);
  } catch (err) {
    problems.push(new NodeInfoError("listen-addr", `listen address ${JSON.stringify(info.listenAddr)} is invalid: ${(err as Error).message}`));
  }
  if (info.version !== "" && !isPrintable(info.version))
    problems.push(new NodeInfoError("version", `version ${JSON.stringify(info.version)} must be empty or printable ASCII, not blank`));
  if (info.channels.length > MAX_NUM_CHANNELS)
    problems.push(new NodeInfoError("channels-count", `${info.channels.length} channels listed, at most ${MAX_NUM_CHANNELS} allowed`));
  if (new Set(info.channels).size !== info.channels.length) problems.push(new NodeInfoError("channels-duplicate", "a channel is listed twice"));
  if (!isPrintable(info.moniker)) problems.push(new NodeInfoError("moniker", `moniker ${JSON.stringify(info.moniker)} must be printable ASCII, not blank`));
  if (!["", "on", "off"].includes(info.other.txIndex))
    problems.push(new NodeInfoError("tx-index", `tx_index ${JSON.stringify(info.other.txIndex)} must be "", "on" or "off"`));
  if (info.other.rpcAddress !== "" && !isPrintable(info.other.rpcAddress))
    problems.push(new NodeInfoError("rpc-address", `rpc_address ${JSON.stringify(info.other.rpcAddress)} must be empty or printable ASCII, not blank`));
  if (encodedSize !== undefined && encodedSize > MAX_NODE_INFO_SIZE)
    problems.push(new NodeInfoError("too-large", `NodeInfo of ${encodedSize} bytes exceeds ${MAX_NODE_INFO_SIZE}`));
  return problems;
}

/**
 * CometBFT's `Validate` (see {@link nodeInfoProblems}).
 * @throws {NodeInfoError} naming the first rule broken.
 */
export function validateNodeInfo(info: NodeInfo): void {
  const problems = nodeInfoProblems(info);
  if (problems.length > 0) throw problems[0];
}
