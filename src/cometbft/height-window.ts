/**
 * What {@link consensusEvents$} remembers, per height, for the newest few heights only: the keys
 * of the events already reported, and the parts of the blocks being proposed.
 * @module
 */
import { Block } from "../proto/tendermint/types/block.js";
import { merkleRoot } from "./merkle.js";

/** Keys of the events seen, for the newest `heights` heights, at most `maxKeys` per height. */
export class SeenKeys {
  private readonly byHeight = new Map<bigint, Set<string>>();
  private top = -1n;

  constructor(
    private readonly heights: number,
    private readonly maxKeys: number,
  ) {}

  /**
   * True the first time `key` is offered for `height` (and for a height older than the window:
   * it is too old to be remembered, so it is reported as not seen before only while in the
   * window; older ones are reported as seen, i.e. never again).
   */
  firstTime(height: bigint, key: string): boolean {
    if (height > this.top) {
      this.top = height;
      for (const h of this.byHeight.keys()) if (h <= height - BigInt(this.heights)) this.byHeight.delete(h);
    }
    if (height <= this.top - BigInt(this.heights)) return false;
    let keys = this.byHeight.get(height);
    if (keys === undefined) this.byHeight.set(height, (keys = new Set()));
    if (keys.has(key)) return false;
    // A full set stops remembering (a later copy of the same event is then reported again)
    // rather than growing without bound.
    if (keys.size < this.maxKeys) keys.add(key);
    return true;
  }
}

/** What a complete set of parts made. */
export type Assembled = { readonly ok: true; readonly block: Block; readonly bytes: number } | { readonly ok: false; readonly reason: string };

/** The parts of the blocks proposed at the newest heights, each set bounded by `maxBytes`. */
export class PartSets {
  private readonly sets = new Map<string, { height: bigint; total: number; parts: Map<number, Uint8Array>; size: number; expectedHash?: Uint8Array; done: boolean }>();

  constructor(
    private readonly heights: number,
    private readonly maxBytes: number,
  ) {}

  /** Notes the part-set hash a proposal announced for `height`/`round`, checked once complete. */
  expect(height: bigint, round: number, total: number, hash: Uint8Array): Assembled | undefined {
    const set = this.set(height, round, total);
    if (set === undefined) return undefined;
    set.expectedHash = hash;
    return this.complete(set);
  }

  /** Adds one part; returns the block once the last part arrived. */
  add(height: bigint, round: number, index: number, total: number, bytes: Uint8Array): Assembled | undefined {
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

  private set(height: bigint, round: number, total: number) {
    if (!Number.isSafeInteger(total) || total < 1) return undefined;
    const key = `${height}/${round}`;
    let set = this.sets.get(key);
    if (set === undefined) {
      const newest = [...this.sets.values()].reduce((top, s) => (s.height > top ? s.height : top), height);
      if (height <= newest - BigInt(this.heights)) return undefined;
      for (const [k, s] of this.sets) if (s.height <= newest - BigInt(this.heights)) this.sets.delete(k);
      this.sets.set(key, (set = { height, total, parts: new Map(), size: 0, done: false }));
    }
    return set.total === total ? set : undefined;
  }

  private complete(set: { total: number; parts: Map<number, Uint8Array>; size: number; expectedHash?: Uint8Array; done: boolean }): Assembled | undefined {
    if (set.done || set.parts.size !== set.total) return undefined;
    set.done = true;
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
