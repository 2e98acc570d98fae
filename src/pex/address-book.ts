/**
 * The address book: CometBFT's new and old buckets, promotion on success, attempts, bans, and the
 * selections that PEX sends and dials from. Persistence is in `addrbook-store.ts`.
 * @module
 */
import { asyncScheduler, BehaviorSubject, distinctUntilChanged, type Observable, type SchedulerLike } from "rxjs";
import { silentLogger, type Logger } from "../logger.js";
import { GuardedObservable } from "../p2p/guarded-observable.js";
import { formatNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import { bookAddress, sourceAddress } from "./book-address.js";
import { BucketHasher, newBookKey, routableGroup } from "./bucket-hash.js";
import { AddressRefusedError } from "./errors.js";
import { isRoutable, parseIp } from "./ip.js";
import { BucketType, isBad, isBanned, newKnownAddress, type KnownAddress } from "./known-address.js";
import { bookParams } from "./params.js";
import { pickAddress, selection, selectionSize, selectionWithBias, type BookView } from "./book-selection.js";

/** The address book's limits when not given (none is a CometBFT bound; `Pex` takes the same). */
export const addressBookDefaults = Object.freeze({ maxAddressesPerSource: 500, maxGroupShare: 10, groupAllowance: 8 });

/** Options of an {@link AddressBook}. */
export interface AddressBookOptions {
  /** Refuse local and unroutable addresses (CometBFT's `addr_book_strict`, default true). */
  readonly strict?: boolean;
  /**
   * Most addresses heard from one source network group (an IPv4 /16, an IPv6 /32) kept in new
   * buckets (default 500; not a CometBFT bound): many identities on one network share it.
   */
  readonly maxAddressesPerSource?: number;
  /**
   * Most of the new table, in percent of its entries, that routable addresses of one network
   * group (an IPv4 /16, an IPv6 /32) may take when a new one arrives, whoever tells us of them
   * (default 10; 100: no bound; not a CometBFT bound). See `groupAllowance`.
   */
  readonly maxGroupShare?: number;
  /** New addresses of one group always allowed, whatever `maxGroupShare` says of a small table (default 8). */
  readonly groupAllowance?: number;
  /** The book's key (24 hex characters); random by default. */
  readonly key?: string;
  /** The HighwayHash key of bucket placement (32 bytes); random by default. */
  readonly hashKey?: Uint8Array;
  /** Random numbers in [0, 1). */
  readonly random?: () => number;
  /** The clock (its `now()`). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where a throwing subscriber of `size$` is told (default silent). */
  readonly logger?: Logger;
}

/** CometBFT's address book (see the module doc). */
export class AddressBook {
  readonly strict: boolean;
  /** The key saved in the file and fed to bucket placement. */
  readonly key: string;
  private readonly hasher: BucketHasher;
  private readonly random: () => number;
  private readonly scheduler: SchedulerLike;
  private readonly maxPerSource: number;
  private readonly maxGroupShare: number;
  private readonly groupAllowance: number;
  private readonly lookup = new Map<string, KnownAddress>();
  private readonly bad = new Map<string, KnownAddress>();
  /** The buckets, each made at its first entry (most of a small network's 320 stay empty), keyed by ID. */
  private readonly newBuckets: (Map<string, KnownAddress> | undefined)[] = new Array<undefined>(bookParams.newBucketCount).fill(undefined);
  private readonly oldBuckets: (Map<string, KnownAddress> | undefined)[] = new Array<undefined>(bookParams.oldBucketCount).fill(undefined);
  private readonly ours = new Set<string>();
  /** The IDs of `ours`: an address with another ID is not ours, without formatting it. */
  private readonly ourIds = new Set<string>();
  private readonly privateIds = new Set<string>();
  /** New addresses per source network group. */
  private readonly bySource = new Map<string, number>();
  /** New addresses per address network group. */
  private readonly byGroup = new Map<string, number>();
  private nNew = 0;
  private nOld = 0;
  private readonly sizes = new BehaviorSubject(0);
  /** The number of addresses in the book, now and on every change. A subscriber's throw is logged, never thrown. */
  readonly size$: Observable<number>;

  constructor(options: AddressBookOptions = {}) {
    this.strict = options.strict ?? true;
    this.key = options.key ?? newBookKey();
    this.hasher = new BucketHasher(this.key, this.strict, options.hashKey);
    this.random = options.random ?? Math.random;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.maxPerSource = options.maxAddressesPerSource ?? addressBookDefaults.maxAddressesPerSource;
    this.maxGroupShare = options.maxGroupShare ?? addressBookDefaults.maxGroupShare;
    this.groupAllowance = options.groupAllowance ?? addressBookDefaults.groupAllowance;
    const logger = options.logger ?? silentLogger;
    this.size$ = GuardedObservable.from(this.sizes.pipe(distinctUntilChanged()), (err, size) =>
      logger.error({ err: String(err), size }, "a subscriber of size$ threw"),
    );
  }

  /** Addresses in the book (new and old). */
  get size(): number {
    return this.nNew + this.nOld;
  }
  /** Addresses in new buckets. */
  get newCount(): number {
    return this.nNew;
  }
  /** Addresses in old buckets. */
  get oldCount(): number {
    return this.nOld;
  }
  /** True when below CometBFT's threshold of 1000 addresses. */
  get needMoreAddresses(): boolean {
    return this.size < bookParams.needAddressThreshold;
  }

  /**
   * The most new addresses of one routable network group the new table takes now:
   * `maxGroupShare` percent of its entries, at least `groupAllowance` (`Infinity` with a share of 100).
   */
  get maxNewPerGroup(): number {
    if (this.maxGroupShare >= 100) return Infinity;
    return Math.max(this.groupAllowance, Math.floor((this.maxGroupShare * this.nNew) / 100));
  }

  /** Addresses of `group` (as `groupKey` names it) in new buckets. */
  newInGroup(group: string): number {
    return this.byGroup.get(group) ?? 0;
  }

  /** Never adds `addr` (one of our own addresses; `ID@host:port` or parsed). */
  addOurAddress(addr: NetAddressLike): void {
    const a = bookAddress(addr);
    this.ours.add(formatNetAddress(a));
    this.ourIds.add(a.id);
  }

  /** Never stores nor gossips these IDs, nor addresses they tell us of. */
  addPrivateIds(ids: Iterable<string>): void {
    for (const id of ids) this.privateIds.add(id.toLowerCase());
  }

  /** The entry of `id`, if known. */
  get(id: string): Readonly<KnownAddress> | undefined {
    return this.lookup.get(id);
  }

  /** Every entry. */
  entries(): readonly KnownAddress[] {
    return [...this.lookup.values()];
  }

  /** True when `id` is banned. */
  isBanned(id: string): boolean {
    return this.bad.has(id);
  }

  /**
   * Adds `addr`, heard from `src`, to a new bucket (an address already in new buckets gains one
   * more with falling probability, up to 4; an old one is left as it is). Both are
   * `ID@host:port` text or parsed: `book.add("ID@10.0.0.1:26656", "ID@10.0.0.2:26656")`.
   * @throws {AddressRefusedError} saying why it was refused; `NetAddressError` for text that does not parse.
   */
  add(addr: NetAddressLike, src: NetAddressLike): void {
    const a = bookAddress(addr);
    const s = sourceAddress(src);
    const refuse = (r: ConstructorParameters<typeof AddressRefusedError>[0], why: string) => new AddressRefusedError(r, formatNetAddress(a), why);
    if (this.bad.has(a.id)) throw refuse("banned", "the ID is banned");
    if (this.privateIds.has(a.id)) throw refuse("private", "the ID is private");
    if (this.privateIds.has(s.id)) throw refuse("private-source", `the source ${s.id} is private`);
    if (this.ourIds.has(a.id) && this.ours.has(formatNetAddress(a))) throw refuse("self", "it is our own address");
    // a strict book's groups are "local" or "unroutable" exactly for the addresses isRoutable refuses
    // (remembered per host); a lax book groups every IP by its prefix, so it asks isRoutable itself
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- bookAddress already refused a host that is not an IP literal
    const routable = this.strict ? routableGroup(this.hasher.group(a)) : isRoutable(parseIp(a.host)!);
    if (this.strict && !routable) throw refuse("non-routable", "it is local or not routable and the book is strict");
    let ka = this.lookup.get(a.id);
    if (ka !== undefined) {
      if (ka.bucketType === BucketType.old) return;
      if (ka.buckets.length >= bookParams.maxNewBucketsPerAddress) return;
      if (Math.floor(this.random() * 2 * ka.buckets.length) !== 0) return;
    } else {
      const group = this.hasher.group(s);
      if ((this.bySource.get(group) ?? 0) >= this.maxPerSource) throw refuse("source-full", `${this.maxPerSource} addresses from sources in ${group} already`);
      // a local network's addresses (loopback, private ranges) may all share one group by design
      const own = this.hasher.group(a);
      const cap = this.maxNewPerGroup;
      if (routable && this.newInGroup(own) >= cap) throw refuse("group-full", `${cap} new addresses in ${own} already`);
      ka = newKnownAddress(a, s, this.scheduler.now());
    }
    // placed by this source (as CometBFT's calcNewBucket(addr, src)): a second source group can give a second bucket
    this.addToNew(ka, this.hasher.newBucket(a, s));
    this.publish();
  }

  /** Removes `id` from the book. */
  remove(id: string): void {
    const ka = this.lookup.get(id);
    if (ka !== undefined) this.removeEverywhere(ka);
    this.publish();
  }

  /** A dial to `id` is starting or failed: counts an attempt. */
  markAttempt(id: string): void {
    const ka = this.lookup.get(id);
    if (ka === undefined) return;
    ka.lastAttempt = this.scheduler.now();
    ka.attempts++;
  }

  /** We connected to `id`: resets its attempts and moves it to an old bucket. */
  markGood(id: string): void {
    const ka = this.lookup.get(id);
    if (ka === undefined) return;
    const now = this.scheduler.now();
    ka.lastAttempt = now;
    ka.lastSuccess = now;
    ka.attempts = 0;
    if (ka.bucketType === BucketType.new) this.moveToOld(ka);
    this.publish();
  }

  /** Takes `id` out of the book and bans it for `banTime` ms. */
  markBad(id: string, banTime: number): void {
    const ka = this.lookup.get(id);
    if (ka === undefined) return;
    if (!this.bad.has(id)) {
      ka.lastBanTime = Math.max(ka.lastBanTime, this.scheduler.now() + banTime);
      this.bad.set(id, ka);
    }
    this.removeEverywhere(ka);
    this.publish();
  }

  /** Puts back into new buckets the banned addresses whose ban has ended. */
  reinstateBadPeers(): void {
    const now = this.scheduler.now();
    for (const [id, ka] of this.bad) {
      if (isBanned(ka, now)) continue;
      this.bad.delete(id);
      ka.bucketType = BucketType.new;
      ka.buckets = [];
      this.addToNew(ka, this.hasher.newBucket(ka.addr, ka.src));
    }
    this.publish();
  }

  /**
   * An address to dial, from an old or a new bucket: new with weight `sqrt(nNew) * bias`, old
   * with `sqrt(nOld) * (100 - bias)`; bias in [0, 100]. Undefined when the chosen kind is empty.
   */
  pickAddress(biasTowardsNew: number): NetAddress | undefined {
    return pickAddress(this.view(), biasTowardsNew);
  }

  /** How many addresses a selection holds: 23% of the book, at least 32 (or the book), at most 250. */
  selectionSize(): number {
    return selectionSize(this.size);
  }

  /** A random selection of the book (see {@link selectionSize}): what a PEX answer carries. */
  selection(): NetAddress[] {
    return selection(this.view());
  }

  /** A selection with `biasTowardsNew` percent new addresses where it can (a seed's answers). */
  selectionWithBias(biasTowardsNew: number): NetAddress[] {
    return selectionWithBias(this.view(), biasTowardsNew);
  }

  private view(): BookView {
    return { nNew: this.nNew, nOld: this.nOld, newBuckets: this.newBuckets, oldBuckets: this.oldBuckets, entries: this.lookup, random: this.random };
  }

  /** Restores an entry read from a file (its buckets already checked), or places it if it has none. */
  restore(ka: KnownAddress): void {
    if (ka.buckets.length === 0) {
      if (ka.bucketType === BucketType.old) this.placeOld(ka);
      else this.addToNew(ka, this.hasher.newBucket(ka.addr, ka.src));
      this.publish();
      return;
    }
    for (const b of ka.buckets) this.bucket(ka.bucketType, b).set(ka.addr.id, ka);
    this.lookup.set(ka.addr.id, ka);
    if (ka.bucketType === BucketType.old) this.nOld++;
    else this.track(ka, 1);
    this.publish();
  }

  private addToNew(ka: KnownAddress, index: number): void {
    const bucket = this.bucket(BucketType.new, index);
    if (bucket.has(ka.addr.id)) return;
    if (bucket.size >= bookParams.newBucketSize) this.expireNew(bucket, index);
    bucket.set(ka.addr.id, ka);
    ka.buckets.push(index);
    if (ka.buckets.length === 1) this.track(ka, 1);
    this.lookup.set(ka.addr.id, ka);
  }

  /** Makes room in a full new bucket: a bad entry goes, else the one tried longest ago. */
  private expireNew(bucket: Map<string, KnownAddress>, index: number): void {
    const now = this.scheduler.now();
    const victim = [...bucket.values()].find((ka) => isBad(ka, now)) ?? [...bucket.values()].reduce((a, b) => (b.lastAttempt < a.lastAttempt ? b : a));
    this.removeFromBucket(victim, index);
  }

  private moveToOld(ka: KnownAddress): void {
    this.removeEverywhere(ka);
    ka.bucketType = BucketType.old;
    this.placeOld(ka);
  }

  /** Into its old bucket; when full, the oldest there goes back to a new bucket. */
  private placeOld(ka: KnownAddress): void {
    const index = this.hasher.oldBucket(ka.addr);
    const bucket = this.bucket(BucketType.old, index);
    if (bucket.size >= bookParams.oldBucketSize) {
      const oldest = [...bucket.values()].reduce((a, b) => (b.lastAttempt < a.lastAttempt ? b : a));
      this.removeFromBucket(oldest, index);
      oldest.bucketType = BucketType.new;
      this.addToNew(oldest, this.hasher.newBucket(oldest.addr, oldest.src));
    }
    bucket.set(ka.addr.id, ka);
    ka.buckets = [index];
    this.nOld++;
    this.lookup.set(ka.addr.id, ka);
  }

  private removeFromBucket(ka: KnownAddress, index: number): void {
    (ka.bucketType === BucketType.old ? this.oldBuckets : this.newBuckets)[index]?.delete(ka.addr.id);
    ka.buckets = ka.buckets.filter((b) => b !== index);
    if (ka.buckets.length === 0) this.forget(ka);
  }

  private removeEverywhere(ka: KnownAddress): void {
    for (const b of ka.buckets) (ka.bucketType === BucketType.old ? this.oldBuckets : this.newBuckets)[b]?.delete(ka.addr.id);
    ka.buckets = [];
    this.forget(ka);
  }

  /** The bucket `index` of `type`, made if it is not yet. */
  private bucket(type: BucketType, index: number): Map<string, KnownAddress> {
    const buckets = type === BucketType.old ? this.oldBuckets : this.newBuckets;
    let bucket = buckets[index];
    if (bucket === undefined) buckets[index] = bucket = new Map();
    return bucket;
  }

  private forget(ka: KnownAddress): void {
    if (this.lookup.get(ka.addr.id) !== ka) return;
    this.lookup.delete(ka.addr.id);
    if (ka.bucketType === BucketType.old) this.nOld--;
    else this.track(ka, -1);
  }

  /** Counts `ka` in or out of the new buckets, of its source's network group, and of its own. */
  private track(ka: KnownAddress, delta: 1 | -1): void {
    this.nNew += delta;
    count(this.bySource, this.hasher.group(ka.src), delta);
    count(this.byGroup, this.hasher.group(ka.addr), delta);
  }

  private publish(): void {
    this.sizes.next(this.size);
  }
}

function count(counts: Map<string, number>, key: string, delta: 1 | -1): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

export { bookAddress, sourceAddress } from "./book-address.js";
