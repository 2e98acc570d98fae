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
import { highwayHash64Words } from "./highwayhash.js";
import { groupKey, parseIp } from "./ip.js";
import { bookParams } from "./params.js";

const utf8 = new TextEncoder();

/** Entries the memo of network groups holds before it starts afresh. */
const MEMO_SIZE = 16_384;

/**
 * Network groups by host, one memo for strict books and one for the others, shared by every
 * book of the process (a group depends only on the IP and the strictness): books hear of the
 * same hosts over and over. Up to {@link MEMO_SIZE} entries each, then forgotten at once.
 */
const groupMemos = { strict: new Map<string, string>(), lax: new Map<string, string>() };

/** The hash input: the text's UTF-8 bytes, then an optional big-endian uint64 below 2^32. */
let scratch = new Uint8Array(128);

/**
 * Computes bucket indices for one book (its key, strictness, and a random hash key). The outer
 * hash of a new bucket depends only on the source's group and the inner result (one of 32), so
 * it is remembered per source group; the inner one is computed once per placement.
 */
export class BucketHasher {
  private readonly groups: Map<string, string>;
  /** Per source group, the new bucket of each inner result (-1: not yet computed). */
  private readonly outer = new Map<string, Int16Array>();

  /**
   * @param key the book's key (CometBFT: 24 random hex characters, saved in the file).
   * @param strict group local and unroutable addresses apart (CometBFT's `addr_book_strict`).
   * @param hashKey the 32-byte HighwayHash key; random by default, as in CometBFT.
   */
  constructor(
    readonly key: string,
    readonly strict: boolean,
    private readonly hashKey: Uint8Array = randomBytes(32),
  ) {
    this.groups = strict ? groupMemos.strict : groupMemos.lax;
  }

  /** The network group of `addr`'s IP (see `groupKey`). */
  group(addr: NetAddress): string {
    const known = this.groups.get(addr.host);
    if (known !== undefined) return known;
    const ip = parseIp(addr.host);
    if (ip === undefined) throw new RangeError(`${addr.host} is not an IP address`);
    const group = groupKey(ip, this.strict);
    if (this.groups.size >= MEMO_SIZE) this.groups.clear();
    this.groups.set(addr.host, group);
    return group;
  }

  /** The new bucket of `addr` heard from `src`. */
  newBucket(addr: NetAddress, src: NetAddress): number {
    const p = bookParams;
    const srcGroup = this.group(src);
    const addrGroup = this.group(addr);
    const first = this.hash(this.key + addrGroup + srcGroup, p.newBucketsPerGroup);
    let row = this.outer.get(srcGroup);
    if (row === undefined) {
      if (this.outer.size >= MEMO_SIZE) this.outer.clear();
      row = new Int16Array(p.newBucketsPerGroup).fill(-1);
      this.outer.set(srcGroup, row);
    }
    if (row[first] < 0) row[first] = this.hash(this.key + srcGroup, p.newBucketCount, first);
    return row[first];
  }

  /** The old bucket of `addr`. */
  oldBucket(addr: NetAddress): number {
    const p = bookParams;
    const first = this.hash(this.key + formatNetAddress(addr), p.oldBucketsPerGroup);
    return this.hash(this.key + this.group(addr), p.oldBucketCount, first);
  }

  /**
   * The hash of `text` (followed by `suffix` as a big-endian uint64, when given), read as a
   * big-endian uint64, modulo `m` (a small integer): worked on 32-bit halves, without BigInt.
   */
  private hash(text: string, m: number, suffix?: number): number {
    if (scratch.length < 3 * text.length + 8) scratch = new Uint8Array(3 * text.length + 8);
    let length = utf8.encodeInto(text, scratch).written;
    if (suffix !== undefined) {
      scratch.fill(0, length, length + 4);
      scratch[length + 4] = suffix >>> 24;
      scratch[length + 5] = (suffix >>> 16) & 0xff;
      scratch[length + 6] = (suffix >>> 8) & 0xff;
      scratch[length + 7] = suffix & 0xff;
      length += 8;
    }
    // the hash's 8 bytes (its low word first, each little-endian) read big-endian: each word byte-swapped
    const sum = highwayHash64Words(this.hashKey, scratch, length);
    const hi = byteSwap(sum.lo);
    const lo = byteSwap(sum.hi);
    // (hi·2^32 + lo) mod m, every product below 2^53
    return (((hi % m) * (2 ** 32 % m)) % m + (lo % m)) % m;
  }
}

/** `x` (32 bits) with its bytes in reverse order. */
function byteSwap(x: number): number {
  return ((x & 0xff) * 0x1000000 + ((x >>> 8) & 0xff) * 0x10000 + ((x >>> 16) & 0xff) * 0x100 + (x >>> 24)) >>> 0;
}

/** False for the groups a strict book gives local and unroutable addresses (see `groupKey`). */
export function routableGroup(group: string): boolean {
  return group !== "local" && group !== "unroutable";
}

/** A new book key: 24 random hex characters (96 bits), as CometBFT makes it. */
export function newBookKey(): string {
  return randomBytes(12).toString("hex");
}
