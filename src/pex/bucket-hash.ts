/**
 * Bucket placement, as CometBFT computes it: a HighwayHash-64 under a per-process random key of
 * the book's key (a hex string kept in the file) followed by network groups.
 *
 * - new bucket: `h(key + group(src) + (h(key + group(addr) + group(src)) mod 32)) mod 256`
 * - old bucket: `h(key + group(addr) + (h(key + "ID@ip:port") mod 4)) mod 64`
 *
 * where `h` reads the 8 bytes of the hash big-endian and the inner result is appended as a
 * big-endian uint64. So one source group reaches at most 32 new buckets, one address group at
 * most 4 old ones.
 * @module
 */
import { randomBytes } from "node:crypto";
import { formatNetAddress, type NetAddress } from "../p2p/netaddress.js";
import { highwayHash64 } from "./highwayhash.js";
import { groupKey, parseIp } from "./ip.js";
import { bookParams } from "./params.js";

const utf8 = new TextEncoder();

/** Entries each of a hasher's memos holds before it starts afresh. */
const MEMO_SIZE = 16_384;

/**
 * Computes bucket indices for one book (its key, strictness, and a random hash key). A new
 * bucket depends only on the two network groups, and a group only on the IP, so both are
 * remembered (up to 16 384 entries each, then forgotten at once): a book hears of the same
 * groups over and over, and each hash costs two HighwayHash runs.
 */
export class BucketHasher {
  private readonly groups = new Map<string, string>();
  private readonly newBuckets = new Map<string, number>();

  /**
   * @param key the book's key (CometBFT: 24 random hex characters, saved in the file).
   * @param strict group local and unroutable addresses apart (CometBFT's `addr_book_strict`).
   * @param hashKey the 32-byte HighwayHash key; random by default, as in CometBFT.
   */
  constructor(
    readonly key: string,
    readonly strict: boolean,
    private readonly hashKey: Uint8Array = randomBytes(32),
  ) {}

  /** The network group of `addr`'s IP (see `groupKey`). */
  group(addr: NetAddress): string {
    const known = this.groups.get(addr.host);
    if (known !== undefined) return known;
    const ip = parseIp(addr.host);
    if (ip === undefined) throw new RangeError(`${addr.host} is not an IP address`);
    const group = groupKey(ip, this.strict);
    remember(this.groups, addr.host, group);
    return group;
  }

  /** The new bucket of `addr` heard from `src`. */
  newBucket(addr: NetAddress, src: NetAddress): number {
    const p = bookParams;
    const srcGroup = this.group(src);
    const addrGroup = this.group(addr);
    const memo = `${addrGroup}\n${srcGroup}`;
    const known = this.newBuckets.get(memo);
    if (known !== undefined) return known;
    const first = this.hash(this.key + addrGroup + srcGroup) % BigInt(p.newBucketsPerGroup);
    const bucket = Number(this.hash(this.key + srcGroup, first) % BigInt(p.newBucketCount));
    remember(this.newBuckets, memo, bucket);
    return bucket;
  }

  /** The old bucket of `addr`. */
  oldBucket(addr: NetAddress): number {
    const p = bookParams;
    const first = this.hash(this.key + formatNetAddress(addr)) % BigInt(p.oldBucketsPerGroup);
    return Number(this.hash(this.key + this.group(addr), first) % BigInt(p.oldBucketCount));
  }

  private hash(text: string, suffix?: bigint): bigint {
    const head = utf8.encode(text);
    const data = new Uint8Array(head.length + (suffix === undefined ? 0 : 8));
    data.set(head);
    if (suffix !== undefined) new DataView(data.buffer).setBigUint64(head.length, suffix, false);
    const sum = highwayHash64(this.hashKey, data);
    return new DataView(sum.buffer, sum.byteOffset, 8).getBigUint64(0, false);
  }
}

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
}

/** A new book key: 24 random hex characters (96 bits), as CometBFT makes it. */
export function newBookKey(): string {
  return randomBytes(12).toString("hex");
}
