/**
 * The header vectors (test/vectors/cometbft-headers: blocks as a node's RPC showed them) and the
 * proto header each stands for.
 */
import type { Header } from "../../src/proto/tendermint/types/types.js";

/** A header as RPC `/block` writes it. */
export interface RpcHeader {
  version: { block: string; app?: string };
  chain_id: string;
  height: string;
  time: string;
  last_block_id: { hash: string; parts: { total: number; hash: string } };
  [hash: string]: unknown;
}
/** One file of test/vectors/cometbft-headers. */
export interface HeaderVectors {
  blocks: { height: number; txs: number; hash: string; header: RpcHeader }[];
}

const bytes = (hex: unknown) => new Uint8Array(Buffer.from(hex as string, "hex"));

/** A header as a node's RPC shows it (hex hashes, RFC 3339 time with nanoseconds) → the proto type. */
export function fromRpc(h: RpcHeader): Header {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(h.time)!;
  return {
    version: { block: BigInt(h.version.block), app: BigInt(h.version.app ?? 0) },
    chainId: h.chain_id,
    height: BigInt(h.height),
    time: { seconds: BigInt(Date.parse(`${m[1]}Z`) / 1000), nanos: Number((m.at(2) ?? "").padEnd(9, "0")) },
    lastBlockId: { hash: bytes(h.last_block_id.hash), partSetHeader: { total: h.last_block_id.parts.total, hash: bytes(h.last_block_id.parts.hash) } },
    lastCommitHash: bytes(h["last_commit_hash"]),
    dataHash: bytes(h["data_hash"]),
    validatorsHash: bytes(h["validators_hash"]),
    nextValidatorsHash: bytes(h["next_validators_hash"]),
    consensusHash: bytes(h["consensus_hash"]),
    appHash: bytes(h["app_hash"]),
    lastResultsHash: bytes(h["last_results_hash"]),
    evidenceHash: bytes(h["evidence_hash"]),
    proposerAddress: bytes(h["proposer_address"]),
  };
}

