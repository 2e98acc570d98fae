/**
 * `rx-mconn crawl --json`: the nodes found, each with its NodeInfo as CometBFT's RPC writes a
 * peer's `node_info` (`/net_info`, `/status`).
 * @module
 */
import type { CrawledNode } from "../../pex/crawler.js";
import type { NodeInfo } from "../../p2p/node-info.js";
import { hex } from "../cometbft-peer.js";
import { int } from "./encode.js";
import { arr, bool, nullable, num, obj, oneOf, str, type JsonOf } from "./schema.js";

const nodeInfoSchema = obj(
  {
    protocol_version: obj({ p2p: str("int", "the P2P protocol version"), block: str("int", "the block protocol version"), app: str("int", "the application's version") }, "protocol versions"),
    id: str("node-id", "the node's ID"),
    listen_addr: str("text", "where it says it listens"),
    network: str("text", "its chain id"),
    version: str("text", "its software version"),
    channels: str("hex", "the channel ids it speaks, one byte each"),
    moniker: str("text", "its name"),
    other: obj({ tx_index: str("text", "`on` or `off`"), rpc_address: str("text", "its RPC address") }, "other information"),
  },
  "what the node said of itself in its handshake; `null` when not reached",
);

/** The output of `rx-mconn crawl --json`. */
export const crawlSchema = arr(
  obj(
    {
      id: str("node-id", "the node's ID"),
      address: str("text", "`ID@HOST:PORT` dialed (or that would have been)"),
      status: oneOf(["reached", "failed", "filtered", "pending"] as const, "`reached`: NodeInfo read; `failed`: dial or handshake failed; `filtered`: not dialed (`--loopback-only`); `pending`: time ran out"),
      seed: bool("one of the seeds the crawl started from"),
      told_by: arr(str("node-id", "a node that gave us this node's address"), "the nodes that told us of it"),
      node_info: nullable(nodeInfoSchema),
      accepted: bool("the node kept the connection until it answered or the answer timed out"),
      handshake_ms: nullable(num("milliseconds from dial to NodeInfo exchanged")),
      answered: nullable(num("valid addresses in its PEX answer; `null`: no answer")),
      invalid: nullable(num("addresses in its answer that did not parse, dropped; `null`: no answer")),
      error: nullable(str("text", "why it failed or closed early")),
    },
    "one node",
  ),
  "the nodes found",
);

/** `rx-mconn crawl --json`'s output, parsed. */
export type CrawlJson = JsonOf<typeof crawlSchema>;

/** A NodeInfo as RPC writes it. */
function nodeInfoJson(i: NodeInfo) {
  return {
    protocol_version: { p2p: int(i.protocolVersion.p2p), block: int(i.protocolVersion.block), app: int(i.protocolVersion.app) },
    id: i.nodeId,
    listen_addr: i.listenAddr,
    network: i.network,
    version: i.version,
    channels: hex(i.channels),
    moniker: i.moniker,
    other: { tx_index: i.other.txIndex, rpc_address: i.other.rpcAddress },
  };
}

/** The crawled nodes as `crawl --json` prints them. */
export function crawlJson(nodes: readonly CrawledNode[]): CrawlJson {
  return nodes.map((n) => ({
    id: n.id,
    address: n.address,
    status: n.status,
    seed: n.seed,
    told_by: [...n.toldBy],
    node_info: n.nodeInfo === undefined ? null : nodeInfoJson(n.nodeInfo),
    accepted: n.accepted,
    handshake_ms: n.handshakeMs ?? null,
    answered: n.answered ?? null,
    invalid: n.invalid ?? null,
    error: n.error ?? null,
  }));
}
