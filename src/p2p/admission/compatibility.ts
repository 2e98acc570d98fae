/**
 * Whether a peer's NodeInfo is compatible with ours (CometBFT's `CompatibleWith`): the rule of
 * admission applied once the NodeInfo exchange is done, before the connection may become a peer.
 * @module
 */
import { NodeInfoError } from "../errors.js";
import type { NodeInfo } from "../node-info.js";

/**
 * CometBFT's `CompatibleWith`: the same block protocol, the same network, and — when we list
 * channels — at least one channel in common. (The p2p and app versions are not compared.)
 * @throws {NodeInfoError} naming the rule broken.
 */
export function checkCompatible(ours: NodeInfo, theirs: NodeInfo): void {
  if (ours.protocolVersion.block !== theirs.protocolVersion.block)
    throw new NodeInfoError("block-version", `peer runs block protocol ${theirs.protocolVersion.block}, we run ${ours.protocolVersion.block}`);
  if (ours.network !== theirs.network) throw new NodeInfoError("network", `peer is on network ${JSON.stringify(theirs.network)}, we are on ${JSON.stringify(ours.network)}`);
  if (ours.channels.length === 0) return;
  const theirChannels = new Set(theirs.channels);
  if (!ours.channels.some((c) => theirChannels.has(c)))
    throw new NodeInfoError("no-common-channel", `no channel in common (ours ${hexList(ours.channels)}, theirs ${hexList(theirs.channels)})`);
}

function hexList(channels: Uint8Array): string {
  return `[${[...channels].map((c) => c.toString(16).padStart(2, "0")).join(" ")}]`;
}
