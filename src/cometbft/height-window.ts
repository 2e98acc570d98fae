/**
 * What {@link consensusEvents$} remembers, per height, for the heights its window accepts
 * only (`PeerHeights`): the keys of the events already reported, and the parts of the
 * blocks being proposed.
 * @module
 */
import { Block } from "../proto/tendermint/types/block.js";
import { merkleRoot } from "./merkle.js";

/**
 * Keys of the events seen, per height, at most `maxKeys` per height; the heights kept are those
 * the caller's window accepts ({@link SeenKeys.retain} forgets the rest when it moves).
 */
export class SeenKeys {
  private readonly byHeight = new Map<bigint, Set<string>>();

  constructor(private readonly maxKeys: number) {}

  /**
   * True the first time `key` is offered for `height`. A full set stops remembering (a later
   * copy of the same event is then reported again) rather than growing without bound.
   */
  firstTime(height: bigint, key: string): boolean {
    let keys = this.byHeight.get(height);
    if (keys === undefined) this.byHeight.set(height, (keys = new Set()));
    if (keys.has(key)) return false;
    if (keys.size < this.maxKeys) keys.add(key);
    return true;
  }

  /** Forgets every height `keep` refuses. */
  retain(keep: (height: bigint) => boolean): void {
    for (const h of this.byHeight.keys()) if (!keep(h)) this.byHeight.delete(h);
  }

  /** How many keys are held, over all heights. */
  get size(): number {
    let n = 0;
    for (const keys of this.byHeight.values()) n += keys.size;
    return n;
  }
}

/** What a complete set of parts made, or why the parts make no block. */
export type Assembled = { readonly ok: true; readonly block: Block; readonly bytes: number } | { readonly ok: false; readonly reason: string };

/**
 * CometBFT's `types.MaxBlockPartsCount`: the most parts a block has (104,857,600 bytes, its
 * `MaxBlockSizeBytes`, in parts of {@link BLOCK_PART_SIZE}, plus one).
 */
export const MAX_BLOCK_PARTS = 1601;
/** CometBFT's `types.BlockPartSizeBytes`: the size of every part but the last, which is smaller. */
export const BLOCK_PART_SIZE = 65_536;

interface PartSet {
  round: number;
  total: number;
  parts: Map<number, Uint8Array>;
  size: number;
  expectedHash?: Uint8Array;
  done: boolean;
}

/**
 * The parts of the blocks proposed at the heights the caller's window accepts
 * ({@link PartSets.retain} forgets the rest when it moves): one set per height, of its newest
 * round (a part or proposal of a later round replaces it, one of an earlier round is ignored),
 * each bounded by `maxBytes`, at most {@link MAX_BLOCK_PARTS} parts of at most
 * {@link BLOCK_PART_SIZE} bytes. A part count or a part beyond CometBFT's limits is reported
 * (`ok: false`), not kept. So what is held stays below (heights accepted) × `maxBytes` bytes
 * and (heights accepted) × 1,601 parts, whatever peers send.
 */
export class PartSets {
  private readonly sets = new Map<bigint, PartSet>();

  constructor(private readonly maxBytes: number) {}

  /** Forgets the sets of every height `keep` refuses. */
  retain(keep: (height: bigint) => boolean): void {
    for (const h of this.sets.keys()) if (!keep(h)) this.sets.delete(h);
  }

  /** Notes the part-set hash a proposal announced for `height`/`round`, checked once complete. */
  expect(height: bigint, round: number, total: number, hash: Uint8Array): Assembled | undefined {
    if (total > MAX_BLOCK_PARTS) return tooMany(total);
    const set = this.set(height, round, total);
    if (set === undefined) return undefined;
    set.expectedHash = hash;
    return this.complete(set);
  }

  /** Adds one part; returns the block once the last part arrived. */
  add(height: bigint, round: number, index: number, total: number, bytes: Uint8Array): Assembled | undefined {
    if (total > MAX_BLOCK_PARTS) return tooMany(total);
    if (bytes.length > BLOCK_PART_SIZE) return { ok: false, reason: `part ${index} has ${bytes.length} bytes, more than CometBFT's ${BLOCK_PART_SIZE}` };
    const set = this.set(height, round, total);
    if (set === undefined || set.done || index < 0 || index >= set.total || set.parts.has(index)) return undefined;
    if (set.size + bytes.length > this.maxBytes) {
      set.done = true;
      set.parts.clear();
      return { ok: false, reason: `the parts exceed ${this.maxBytes} bytes` };
    }
    set.parts.set(index, bytes);
    set.size += bytes.length;
    return this.complete(set);
  }

  /** The set of `height` at `round` with `total` parts, made if new; undefined if it cannot be kept. */
  private set(height: bigint, round: number, total: number): PartSet | undefined {
    if (!Number.isSafeInteger(total) || total < 1) return undefined;
    let set = this.sets.get(height);
    if (set !== undefined && round < set.round) return undefined;
    if (set === undefined || round > set.round) {
      this.sets.set(height, (set = { round, total, parts: new Map(), size: 0, done: false }));
    }
    return set.total === total ? set : undefined;
  }

  private complete(set: PartSet): Assembled | undefined {
    if (set.done || set.parts.size !== set.total) return undefined;
    set.done = true;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- parts.size equals total and parts are keyed 0..total-1, so every index is present
    const chunks = Array.from({ length: set.total }, (_, i) => set.parts.get(i)!);
    set.parts.clear();
    if (set.expectedHash !== undefined && !Buffer.from(merkleRoot(chunks)).equals(set.expectedHash)) return { ok: false, reason: "the parts do not hash to the proposal's part-set hash" };
    try {
      return { ok: true, block: Block.decode(Buffer.concat(chunks)), bytes: set.size };
    } catch (err) {
      return { ok: false, reason: `the parts do not decode as a block: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

const tooMany = (total: number): Assembled => ({ ok: false, reason: `a part set of ${total} parts, more than CometBFT's ${MAX_BLOCK_PARTS}` });
