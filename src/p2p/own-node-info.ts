/**
 * Our own NodeInfo: built from the switch's options and channels, and held to the rules we
 * apply to every remote's (CometBFT refuses a peer whose NodeInfo breaks them, so a node that
 * broke one would connect nowhere, with the reason only in the remote's log).
 * @module
 */
import { ConfigError } from "../error-base.js";
import { BLOCK_PROTOCOL, encodeNodeInfo, nodeInfoProblems, P2P_PROTOCOL, type NodeInfo } from "./node-info.js";

/** What our NodeInfo is built from. */
export interface OwnNodeInfoSource {
  readonly nodeId: string;
  readonly network: string;
  readonly moniker: string;
  readonly version: string;
}

/** Our NodeInfo advertising `listenAddr` and `channels`. */
export function buildNodeInfo(o: OwnNodeInfoSource, channels: readonly number[], listenAddr: string): NodeInfo {
  return {
    protocolVersion: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: 0 },
    nodeId: o.nodeId,
    listenAddr,
    network: o.network,
    version: o.version,
    channels: Uint8Array.from(channels),
    moniker: o.moniker,
    other: { txIndex: "off", rpcAddress: "" },
  };
}

/** One sentence per NodeInfo rule `info` breaks (printable ASCII moniker and version, ≤ 16 channels, an address with a port, ≤ 10,240 bytes, …). */
export function ownNodeInfoRules(info: NodeInfo): string[] {
  return nodeInfoProblems(info, encodeNodeInfo(info).length).map((p) => `our NodeInfo breaks rule ${p.rule}: ${p.message}.`);
}

/**
 * Checks our NodeInfo with the rules remotes are checked with.
 * @throws {ConfigError} naming every rule broken.
 */
export function verifyOwnNodeInfo(info: NodeInfo): NodeInfo {
  const rules = ownNodeInfoRules(info);
  if (rules.length > 0) throw new ConfigError(rules.join(" "));
  return info;
}
