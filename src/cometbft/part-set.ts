/**
 * `partSetHeader`: the part-set header of a block as CometBFT makes it (`Block.MakePartSet`):
 * the block's protobuf encoding cut into parts of 65,536 bytes (the last one shorter), the
 * count of parts and the Merkle root over them. With the header's hash it makes the block's
 * `BlockID`, which RPC shows as `block_id` and the next block carries as `last_block_id`.
 * @module
 */
import { Block } from "../proto/tendermint/types/block.js";
import type { PartSetHeader } from "../proto/tendermint/types/types.js";
import { BLOCK_PART_SIZE } from "./height-window.js";
import { merkleRoot } from "./merkle.js";

/**
 * The part-set header of `block`: how many parts it travels in and their Merkle root. Exact for
 * a block as a node encodes it (every field it sent is one our schemas know, as for every
 * pinned line).
 *
 * @example
 * const id = { hash: headerHash(block.header!), partSetHeader: partSetHeader(block) };
 */
export function partSetHeader(block: Block): PartSetHeader {
  const bytes = Block.encode(block).finish();
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += BLOCK_PART_SIZE) parts.push(bytes.subarray(at, at + BLOCK_PART_SIZE));
  return { total: parts.length, hash: merkleRoot(parts) };
}
