/**
 * Choosing from the book: one address to dial (CometBFT's bias between new and old buckets), and
 * the random selections a PEX answer carries.
 * @module
 */
import type { NetAddress } from "../p2p/netaddress.js";
import { BucketType, type KnownAddress } from "./known-address.js";
import { bookParams } from "./params.js";

/** What the choosing reads of a book. */
export interface BookView {
  readonly nNew: number;
  readonly nOld: number;
  /** The buckets; one not made yet (undefined) is empty. */
  readonly newBuckets: readonly (ReadonlyMap<string, KnownAddress> | undefined)[];
  readonly oldBuckets: readonly (ReadonlyMap<string, KnownAddress> | undefined)[];
  readonly entries: ReadonlyMap<string, KnownAddress>;
  readonly random: () => number;
}

/** CometBFT's `PickAddress`: a random entry of a random non-empty bucket of the kind drawn. */
export function pickAddress(book: BookView, biasTowardsNew: number): NetAddress | undefined {
  if (book.nNew + book.nOld === 0) return undefined;
  const bias = Math.min(100, Math.max(0, biasTowardsNew));
  const oldWeight = Math.sqrt(book.nOld) * (100 - bias);
  const newWeight = Math.sqrt(book.nNew) * bias;
  const fromOld = (oldWeight + newWeight) * book.random() < oldWeight;
  if ((fromOld && book.nOld === 0) || (!fromOld && book.nNew === 0)) return undefined;
  const buckets = fromOld ? book.oldBuckets : book.newBuckets;
  let bucket: ReadonlyMap<string, KnownAddress> | undefined;
  while (bucket === undefined || bucket.size === 0) bucket = buckets[Math.floor(book.random() * buckets.length)];
  return [...bucket.values()][Math.floor(book.random() * bucket.size)].addr;
}

/** 23% of `size`, at least 32 (or `size`), at most 250. */
export function selectionSize(size: number): number {
  const p = bookParams;
  return Math.min(p.maxGetSelection, Math.max(Math.min(p.minGetSelection, size), Math.floor((size * p.getSelectionPercent) / 100)));
}

/** CometBFT's `GetSelection`: a random {@link selectionSize} of the book. */
export function selection(book: BookView): NetAddress[] {
  return shuffled([...book.entries.values()], book.random, selectionSize(book.nNew + book.nOld)).map((ka) => ka.addr);
}

/** CometBFT's `GetSelectionWithBias`: `bias` percent new addresses where there are enough, old ones after. */
export function selectionWithBias(book: BookView, biasTowardsNew: number): NetAddress[] {
  const n = selectionSize(book.nNew + book.nOld);
  const bias = Math.min(100, Math.max(0, biasTowardsNew));
  const wantNew = Math.max(Math.round((bias / 100) * n), n - book.nOld);
  const all = [...book.entries.values()];
  const fresh = shuffled(all.filter((k) => k.bucketType === BucketType.new), book.random, wantNew);
  const old = shuffled(all.filter((k) => k.bucketType === BucketType.old), book.random, n - fresh.length);
  return [...fresh, ...old].map((ka) => ka.addr);
}

/** The first `n` of a Fisher–Yates shuffle of `items` (which it reorders). */
function shuffled<T>(items: T[], random: () => number, n: number): T[] {
  const count = Math.min(n, items.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, count);
}
