/**
 * `addrbook.json`, in CometBFT's format: `{ "key": hex, "addrs": [{ addr, src, buckets, attempts,
 * bucket_type, last_attempt, last_success, last_ban_time }] }` with addresses as
 * `{ "id", "ip", "port" }` and times in RFC 3339 (`0001-01-01T00:00:00Z` for never). Everything
 * read is checked; a file that breaks a rule is refused as a whole with an `AddressBookFileError`.
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import type { NetAddress } from "../p2p/netaddress.js";
import { bookAddress, sourceAddress, type AddressBook } from "./address-book.js";
import { AddressBookFileError } from "./errors.js";
import { BucketType, type KnownAddress } from "./known-address.js";
import { bookParams } from "./params.js";

/** Go's zero `time.Time`, written for "never". */
export const ZERO_TIME = "0001-01-01T00:00:00Z";
/** The most bytes of a file we read (a full book is about 10 MB). */
export const MAX_ADDRBOOK_FILE_SIZE = 32 * 1024 * 1024;
/** The most entries a file may hold: every bucket full. */
export const MAX_ADDRBOOK_ENTRIES =
  bookParams.newBucketCount * bookParams.newBucketSize + bookParams.oldBucketCount * bookParams.oldBucketSize;

const MIN_TIME = Date.parse("0001-01-01T00:00:00Z");
const MAX_TIME = Date.parse("9999-12-31T23:59:59Z");

interface JsonAddress {
  id: string;
  ip: string;
  port: number;
}

/** The book as CometBFT's `addrbook.json` (tab-indented, as Go's `MarshalIndent` writes it). */
export function encodeAddressBook(book: AddressBook): string {
  const addr = (a: NetAddress): JsonAddress => ({ id: a.id, ip: a.host, port: a.port });
  const time = (ms: number) => (ms === 0 ? ZERO_TIME : new Date(ms).toISOString());
  const addrs = book.entries().map((ka) => ({
    addr: addr(ka.addr),
    src: addr(ka.src),
    buckets: ka.buckets,
    attempts: ka.attempts,
    bucket_type: ka.bucketType,
    last_attempt: time(ka.lastAttempt),
    last_success: time(ka.lastSuccess),
    last_ban_time: time(ka.lastBanTime),
  }));
  return JSON.stringify({ key: book.key, addrs }, null, "\t");
}

/** The key and entries of a file's text, every value checked. */
export interface DecodedAddressBook {
  readonly key: string;
  readonly addrs: KnownAddress[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses and checks `text`: the key (hex, 1–64 characters), at most {@link MAX_ADDRBOOK_ENTRIES}
 * entries, each address valid (ID, IP, port), bucket type 1 or 2, bucket indices in range (at
 * most 4 new buckets, 1 old), attempts a non-negative integer, times RFC 3339 between years 1 and
 * 9999, no ID twice, no bucket over its size.
 * @throws {AddressBookFileError} naming the first rule broken.
 */
export function decodeAddressBook(text: string, file: string): DecodedAddressBook {
  const fail = (problem: string, cause?: unknown) => new AddressBookFileError(file, problem, cause === undefined ? undefined : { cause });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`not JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!isRecord(json)) throw fail("not a JSON object");
  const { key, addrs } = json;
  if (typeof key !== "string" || !/^[0-9a-fA-F]{1,64}$/.test(key)) throw fail("key must be 1–64 hex characters");
  if (addrs !== null && addrs !== undefined && !Array.isArray(addrs)) throw fail("addrs must be an array");
  const list = (addrs ?? []) as unknown[];
  if (list.length > MAX_ADDRBOOK_ENTRIES) throw fail(`${list.length} entries, more than the ${MAX_ADDRBOOK_ENTRIES} the buckets hold`);
  const ids = new Set<string>();
  const fill = new Map<string, number>();
  const out = list.map((entry, i) => {
    const at = (what: string) => fail(`entry ${i}: ${what}`);
    if (!isRecord(entry)) throw at("not an object");
    const addr = readAddress(entry.addr, bookAddress, (w) => at(`addr ${w}`));
    const src = readAddress(entry.src, sourceAddress, (w) => at(`src ${w}`));
    const type = entry.bucket_type;
    if (type !== BucketType.new && type !== BucketType.old) throw at("bucket_type must be 1 (new) or 2 (old)");
    const count = type === BucketType.new ? bookParams.newBucketCount : bookParams.oldBucketCount;
    const most = type === BucketType.new ? bookParams.maxNewBucketsPerAddress : 1;
    const buckets = entry.buckets ?? [];
    if (!Array.isArray(buckets) || buckets.length > most || buckets.some((b) => !Number.isInteger(b) || (b as number) < 0 || (b as number) >= count))
      throw at(`buckets must be at most ${most} distinct indices below ${count}`);
    if (new Set(buckets).size !== buckets.length) throw at("a bucket is listed twice");
    for (const b of buckets as number[]) {
      const slot = `${type}:${b}`;
      const n = (fill.get(slot) ?? 0) + 1;
      // CometBFT lets a bucket hold one more than its size (it expires only past it)
      if (n > (type === BucketType.new ? bookParams.newBucketSize : bookParams.oldBucketSize) + 1) throw at(`bucket ${b} over its size`);
      fill.set(slot, n);
    }
    if (!Number.isSafeInteger(entry.attempts) || (entry.attempts as number) < 0) throw at("attempts must be a non-negative integer");
    if (ids.has(addr.id)) throw at(`ID ${addr.id} appears twice`);
    ids.add(addr.id);
    return {
      addr,
      src,
      buckets: [...(buckets as number[])],
      attempts: entry.attempts as number,
      bucketType: type,
      lastAttempt: readTime(entry.last_attempt, () => at("last_attempt is not an RFC 3339 time")),
      lastSuccess: readTime(entry.last_success, () => at("last_success is not an RFC 3339 time")),
      lastBanTime: readTime(entry.last_ban_time, () => at("last_ban_time is not an RFC 3339 time")),
    } satisfies KnownAddress;
  });
  return { key, addrs: out };
}

function readAddress(value: unknown, normalise: (a: NetAddress) => NetAddress, fail: (what: string) => Error): NetAddress {
  if (!isRecord(value)) throw fail("is not an object");
  const { id, ip, port } = value;
  if (typeof id !== "string" || typeof ip !== "string" || typeof port !== "number") throw fail("needs a string id and ip and a number port");
  try {
    return normalise({ id, host: ip, port });
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
}

function readTime(value: unknown, fail: () => Error): number {
  if (value === undefined || value === null || value === ZERO_TIME) return 0;
  if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) throw fail();
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) throw fail();
  return ms === MIN_TIME ? 0 : ms;
}

/**
 * Writes `text` to `file` atomically: a temporary file beside it, flushed, then renamed over it.
 * When a step fails the temporary file is removed and the error rethrown.
 */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, "w", 0o644);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
