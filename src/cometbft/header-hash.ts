/**
 * `headerHash`: a block's hash as CometBFT computes it (`Header.Hash()`): the Merkle root of its
 * fourteen header fields, each encoded on its own — the version and last block id as their
 * messages, the time as a `Timestamp`, the chain id, height and hashes wrapped in
 * `google.protobuf` `StringValue`/`Int64Value`/`BytesValue` (an empty one as no bytes at all).
 * @module
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { BlockID, Header } from "../proto/tendermint/types/types.js";
import { merkleRoot } from "./merkle.js";

const EMPTY = new Uint8Array(0);

/** `StringValue`/`BytesValue` (field 1, length-delimited), or nothing for an empty value. */
function wrappedBytes(value: Uint8Array | string): Uint8Array {
  if (value.length === 0) return EMPTY;
  const w = new BinaryWriter();
  if (typeof value === "string") w.uint32(10).string(value);
  else w.uint32(10).bytes(value);
  return w.finish();
}

/** `Int64Value` (field 1, varint), or nothing for zero. */
function wrappedInt64(value: bigint): Uint8Array {
  return value === 0n ? EMPTY : new BinaryWriter().uint32(8).int64(value).finish();
}

/** `BlockID` with its part-set header always written (it is not nullable in CometBFT's schema). */
function blockId(id: BlockID | undefined): Uint8Array {
  const w = new BinaryWriter();
  if (id !== undefined && id.hash.length > 0) w.uint32(10).bytes(id.hash);
  w.uint32(18).fork();
  const parts = id?.partSetHeader;
  if (parts !== undefined && parts.total !== 0) w.uint32(8).uint32(parts.total);
  if (parts !== undefined && parts.hash.length > 0) w.uint32(18).bytes(parts.hash);
  w.join();
  return w.finish();
}

function version(header: Header): Uint8Array {
  const w = new BinaryWriter();
  const v = header.version;
  if (v !== undefined && v.block !== 0n) w.uint32(8).uint64(v.block);
  if (v !== undefined && v.app !== 0n) w.uint32(16).uint64(v.app);
  return w.finish();
}

function time(header: Header): Uint8Array {
  const w = new BinaryWriter();
  const t = header.time;
  if (t !== undefined && t.seconds !== 0n) w.uint32(8).int64(t.seconds);
  if (t !== undefined && t.nanos !== 0) w.uint32(16).int32(t.nanos);
  return w.finish();
}

/**
 * The hash of the block with `header`, as CometBFT computes it: the value a node's RPC shows as
 * `block_id.hash` and the next block carries in `last_block_id.hash`. Undefined for a header
 * without a validators hash (CometBFT's `nil`).
 *
 * @example
 * const ok = Buffer.from(headerHash(block.header)!).equals(next.header.lastBlockId.hash);
 */
export function headerHash(header: Header): Uint8Array | undefined {
  if (header.validatorsHash.length === 0) return undefined;
  return merkleRoot([
    version(header),
    wrappedBytes(header.chainId),
    wrappedInt64(header.height),
    time(header),
    blockId(header.lastBlockId),
    wrappedBytes(header.lastCommitHash),
    wrappedBytes(header.dataHash),
    wrappedBytes(header.validatorsHash),
    wrappedBytes(header.nextValidatorsHash),
    wrappedBytes(header.consensusHash),
    wrappedBytes(header.appHash),
    wrappedBytes(header.lastResultsHash),
    wrappedBytes(header.evidenceHash),
    wrappedBytes(header.proposerAddress),
  ]);
}
