import { expect } from "chai";
import sinon from "sinon";
import { VirtualTimeScheduler } from "rxjs";
import { AddressBook } from "../../../src/pex/address-book.js";
import { AddressRefusedError } from "../../../src/pex/errors.js";
import { BucketType } from "../../../src/pex/known-address.js";
import { bookParams } from "../../../src/pex/params.js";

const id = (n: number) => n.toString(16).padStart(40, "0");
const at = (n: number, host: string, port = 26656) => ({ id: id(n), host, port });
/** A deterministic random source (xorshift). */
function seeded(seed = 1): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("AddressBook", () => {
  const src = at(9999, "8.8.4.4");
  let clock: VirtualTimeScheduler;
  let book: AddressBook;
  beforeEach(() => {
    clock = new VirtualTimeScheduler();
    book = new AddressBook({ scheduler: clock, random: seeded() });
  });

  it("adds a routable address to one new bucket and counts it", () => {
    book.add(at(1, "1.2.3.4"), src);
    const ka = book.get(id(1))!;
    expect(ka.bucketType).to.equal(BucketType.new);
    expect(ka.buckets).to.have.length(1);
    expect(ka.buckets[0]).to.be.within(0, bookParams.newBucketCount - 1);
    expect([book.size, book.newCount, book.oldCount]).to.deep.equal([1, 1, 0]);
  });

  it("places addresses of one source group in at most 32 new buckets, and of one group in at most 4 old ones", () => {
    const keys = { key: "0123456789abcdef01234567", hashKey: new Uint8Array(32).fill(7) };
    const wide = new AddressBook({ ...keys, scheduler: clock, random: seeded(), maxAddressesPerSource: 10_000 });
    // 200 address groups (/16s), one source group: 200 × 32 possible buckets, the source's 32 only
    const newBuckets = new Set<number>();
    for (let i = 1; i <= 600; i++) {
      wide.add(at(i, `9.${i % 200}.${i >> 8}.1`), src);
      newBuckets.add(wide.get(id(i))!.buckets[0]);
    }
    expect(newBuckets.size).to.be.at.most(bookParams.newBucketsPerGroup);
    expect(newBuckets.size, "spread beyond one group's 4").to.be.greaterThan(bookParams.oldBucketsPerGroup);
    // 100 addresses of one /16, heard from 50 source groups, all promoted (the per-group bound off)
    const narrow = new AddressBook({ ...keys, scheduler: clock, random: seeded(), maxGroupShare: 100 });
    const oldBuckets = new Set<number>();
    for (let i = 1; i <= 100; i++) narrow.add(at(i, `9.9.${i >> 8}.${i & 255}`), at(5000 + i, `${(i % 50) + 20}.1.1.1`));
    for (let i = 1; i <= 100; i++) {
      narrow.markGood(id(i));
      oldBuckets.add(narrow.get(id(i))!.buckets[0]);
    }
    expect(narrow.oldCount).to.equal(100);
    expect(oldBuckets.size).to.be.at.most(bookParams.oldBucketsPerGroup);
    expect(oldBuckets.size).to.be.greaterThan(1);
  });

  it("gives an address heard from several source groups more than one new bucket, at most 4", () => {
    const always = new AddressBook({ scheduler: clock, random: () => 0 });
    for (let g = 1; g <= 20; g++) always.add(at(1, "1.2.3.4"), at(1000 + g, `${g + 20}.7.1.1`));
    const ka = always.get(id(1))!;
    expect(ka.buckets.length).to.be.greaterThan(1);
    expect(ka.buckets.length).to.be.at.most(bookParams.maxNewBucketsPerAddress);
    expect(new Set(ka.buckets).size).to.equal(ka.buckets.length);
    expect(always.size).to.equal(1);
  });

  it("promotes on markGood: one old bucket, attempts reset, last success set", () => {
    book.add(at(1, "1.2.3.4"), src);
    clock.schedule(() => undefined, 5000);
    clock.flush();
    book.markAttempt(id(1));
    book.markAttempt(id(1));
    expect(book.get(id(1))!.attempts).to.equal(2);
    book.markGood(id(1));
    const ka = book.get(id(1))!;
    expect(ka.bucketType).to.equal(BucketType.old);
    expect(ka.buckets).to.have.length(1);
    expect(ka.attempts).to.equal(0);
    expect(ka.lastSuccess).to.equal(5000);
    expect([book.newCount, book.oldCount]).to.deep.equal([0, 1]);
    book.add(at(1, "5.6.7.8"), src);
    expect(book.get(id(1))!.addr.host, "an old entry keeps its address").to.equal("1.2.3.4");
  });

  it("bans on markBad until the ban ends, then reinstates into a new bucket", () => {
    book.add(at(1, "1.2.3.4"), src);
    book.markBad(id(1), 60_000);
    expect(book.size).to.equal(0);
    expect(book.isBanned(id(1))).to.equal(true);
    expect(() => book.add(at(1, "1.2.3.4"), src)).to.throw(AddressRefusedError).with.property("refusal", "banned");
    book.reinstateBadPeers();
    expect(book.size, "still banned").to.equal(0);
    clock.schedule(() => undefined, 60_001);
    clock.flush();
    book.reinstateBadPeers();
    expect(book.size).to.equal(1);
    expect(book.isBanned(id(1))).to.equal(false);
    expect(book.get(id(1))!.bucketType).to.equal(BucketType.new);
  });

  it("refuses our own address, private IDs (as address and as source), invalid and, when strict, unroutable addresses", () => {
    book.addOurAddress(at(7, "1.1.1.1"));
    book.addPrivateIds([id(8)]);
    expect(() => book.add(at(7, "1.1.1.1"), src)).to.throw(AddressRefusedError).with.property("refusal", "self");
    expect(() => book.add(at(8, "1.1.1.2"), src)).to.throw(AddressRefusedError).with.property("refusal", "private");
    expect(() => book.add(at(9, "1.1.1.3"), at(8, "1.1.1.2"))).to.throw(AddressRefusedError).with.property("refusal", "private-source");
    expect(() => book.add(at(10, "127.0.0.1"), src)).to.throw(AddressRefusedError).with.property("refusal", "non-routable");
    expect(() => book.add(at(10, "192.168.1.1"), src)).to.throw(AddressRefusedError).with.property("refusal", "non-routable");
    expect(() => book.add(at(10, "0.0.0.0"), src)).to.throw(AddressRefusedError).with.property("refusal", "invalid");
    expect(() => book.add(at(10, "1.2.3.4", 0), src)).to.throw(AddressRefusedError).with.property("refusal", "invalid");
    expect(() => book.add({ id: "xyz", host: "1.2.3.4", port: 1 }, src)).to.throw(AddressRefusedError).with.property("refusal", "invalid");
    expect(() => book.add(at(10, "example.com"), src)).to.throw(AddressRefusedError).with.property("refusal", "invalid");
    const lax = new AddressBook({ strict: false, scheduler: clock });
    lax.add(at(10, "127.0.0.1"), at(11, "127.0.0.1", 1));
    expect(lax.size).to.equal(1);
  });

  it("keeps at most maxAddressesPerSource new addresses from one source", () => {
    const capped = new AddressBook({ scheduler: clock, maxAddressesPerSource: 3 });
    for (let i = 1; i <= 3; i++) capped.add(at(i, `1.2.3.${i}`), src);
    expect(() => capped.add(at(4, "1.2.3.4"), src)).to.throw(AddressRefusedError).with.property("refusal", "source-full");
    capped.add(at(4, "1.2.3.4"), at(5000, "4.4.4.4"));
    capped.remove(id(1));
    capped.add(at(5, "1.2.3.5"), src);
    expect(capped.size).to.equal(4);
  });

  it("keeps new addresses of one routable /16 to maxGroupShare (10 %) of the new table, at least groupAllowance (8), however many sources relay them", () => {
    const relayers = (n: number) => at(7000 + n, `${20 + n}.1.1.1`); // each in its own /16
    for (let i = 1; i <= 8; i++) book.add(at(i, `9.9.0.${i}`), relayers(i));
    expect(book.maxNewPerGroup).to.equal(8);
    expect(() => book.add(at(9, "9.9.0.9"), relayers(9))).to.throw(AddressRefusedError).with.property("refusal", "group-full");
    expect(book.newInGroup("9.9.0.0")).to.equal(8);
    for (let i = 100; i < 200; i++) book.add(at(i, `11.${i}.0.1`), relayers(i));
    expect(book.maxNewPerGroup, "10 % of 108").to.equal(10);
    let next = 9;
    for (; next < 100; next++) {
      try {
        book.add(at(next, `9.9.0.${next}`), relayers(next));
      } catch (err) {
        expect(err).to.be.instanceOf(AddressRefusedError).with.property("refusal", "group-full");
        break;
      }
    }
    expect(book.newInGroup("9.9.0.0"), "10 % of the 111 new entries").to.equal(11);
    expect(book.newInGroup("9.9.0.0")).to.be.at.most(0.1 * book.newCount);
    // promoting one to an old bucket frees its room in the new table
    book.markGood(id(1));
    book.add(at(next, `9.9.0.${next}`), relayers(next));
    expect(book.newInGroup("9.9.0.0")).to.equal(11);
    expect(() => book.add(at(next + 1, `9.9.0.${next + 1}`), relayers(next + 1))).to.throw(AddressRefusedError, /11 new addresses in 9\.9\.0\.0/);
  });

  it("a seed relaying 100 addresses of one /16 puts at most the bound of them in a book", () => {
    for (let i = 100; i < 160; i++) book.add(at(1000 + i, `11.${i}.0.1`), at(1000 + i, `11.${i}.0.1`)); // 60 honest nodes, each in its own /16
    const seed = at(5000, "30.30.30.30");
    let refused = 0;
    for (let i = 1; i <= 100; i++) {
      try {
        book.add(at(i, `66.66.${i >> 8}.${i & 255}`), seed);
      } catch (err) {
        expect(err).to.be.instanceOf(AddressRefusedError).with.property("refusal", "group-full");
        refused++;
      }
    }
    expect(book.newInGroup("66.66.0.0")).to.equal(8);
    expect(refused).to.equal(92);
    expect(book.newInGroup("66.66.0.0") / book.newCount).to.be.at.most(Math.max(8, 0.1 * book.newCount) / book.newCount);
  });

  it("does not bound local networks: loopback and private addresses of one /16 in a lax book, and a bound of 100 % is none", () => {
    // Fixed keys: each group's 40 addresses, heard from one source group, fill one new bucket (of
    // 64), and these keys put the two groups in two buckets (a random key puts them in one about
    // once in 30 books, which then keeps 64 by the bucket's bound, not a group's).
    const keys = { key: "0123456789abcdef01234567", hashKey: new Uint8Array(32).fill(7) };
    const lax = new AddressBook({ ...keys, strict: false, scheduler: clock, random: seeded() });
    for (let i = 1; i <= 40; i++) lax.add(at(i, `127.0.1.${i}`), at(1000 + i, `127.0.2.${i}`));
    for (let i = 41; i <= 80; i++) lax.add(at(i, `10.0.1.${i}`), at(1000 + i, `127.0.2.${i}`));
    expect(new Set([lax.get(id(1))!.buckets[0], lax.get(id(41))!.buckets[0]]).size, "two buckets").to.equal(2);
    expect(lax.size).to.equal(80);
    const none = new AddressBook({ scheduler: clock, random: seeded(), maxGroupShare: 100 });
    for (let i = 1; i <= 40; i++) none.add(at(i, `9.9.1.${i}`), at(1000 + i, `${20 + i}.1.1.1`));
    expect(none.size).to.equal(40);
  });

  it("keeps a new bucket at 64: a full bucket drops its oldest-tried entry", () => {
    // one address group heard from one source group always lands in the same bucket (the per-group bound off)
    book = new AddressBook({ scheduler: clock, random: seeded(), maxGroupShare: 100 });
    for (let i = 1; i <= 100; i++) {
      clock.schedule(() => undefined, 1);
      clock.flush();
      book.add(at(i, `9.9.${i >> 8}.${i & 255}`), src);
    }
    expect(book.size).to.equal(bookParams.newBucketSize);
    for (let i = 1; i <= 36; i++) expect(book.get(id(i)), "the first ones added were tried longest ago").to.equal(undefined);
    expect(book.get(id(37))).to.not.equal(undefined);
  });

  it("picks from old buckets only with bias 0, from new only with bias 100", () => {
    for (let i = 1; i <= 20; i++) book.add(at(i, `1.${i}.3.4`), src);
    for (let i = 1; i <= 5; i++) book.markGood(id(i));
    const olds = new Set([1, 2, 3, 4, 5].map(id));
    for (let k = 0; k < 50; k++) {
      expect(olds.has(book.pickAddress(0)!.id)).to.equal(true);
      expect(olds.has(book.pickAddress(100)!.id)).to.equal(false);
    }
    expect(new AddressBook().pickAddress(50)).to.equal(undefined);
  });

  it("selects 23% of the book, at least 32, at most 250, without repeats", () => {
    for (let i = 1; i <= 20; i++) book.add(at(i, `1.${i}.3.4`), src);
    expect(book.selection()).to.have.length(20);
    const big = new AddressBook({ scheduler: clock, maxAddressesPerSource: 5000 });
    for (let i = 1; i <= 2000; i++) big.add(at(i, `${(i % 100) + 20}.${i >> 8}.${i & 255}.1`), at(i + 10000, `${(i % 50) + 1}.1.1.1`));
    const n = big.size;
    const sel = big.selection();
    expect(sel).to.have.length(Math.min(250, Math.floor((n * 23) / 100)));
    expect(new Set(sel.map((a) => a.id)).size).to.equal(sel.length);
    const biased = big.selectionWithBias(30);
    expect(biased).to.have.length(sel.length);
  });

  it("size$ follows every change", () => {
    const seen: number[] = [];
    book.size$.subscribe((n) => seen.push(n));
    book.add(at(1, "1.2.3.4"), src);
    book.add(at(2, "1.2.3.5"), src);
    book.markGood(id(1));
    book.remove(id(2));
    expect(seen).to.deep.equal([0, 1, 2, 1]);
  });

  it("a subscriber of size$ that throws is logged; book.add goes on", async () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
    const logged = new AddressBook({ scheduler: clock, random: seeded(), logger });
    const seen: number[] = [];
    logged.size$.subscribe((n) => {
      seen.push(n);
      throw new Error("subscriber bug");
    });
    expect(() => logged.add(at(1, "1.2.3.4"), src)).to.not.throw();
    logged.add(at(2, "1.2.3.5"), src);
    await new Promise((r) => setTimeout(r, 0)); // RxJS would rethrow an unguarded throw on a timer
    expect(seen).to.deep.equal([0, 1, 2]);
    expect(logged.size).to.equal(2);
    expect(logger.error.callCount).to.equal(3);
    expect(logger.error.lastCall.args[0]).to.include({ size: 2 });
    expect((logger.error.lastCall.args[0] as { err: string }).err).to.match(/subscriber bug/);
  });
});
