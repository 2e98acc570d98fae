import { expect } from "chai";
import sinon from "sinon";
import { from, lastValueFrom, Subject, toArray } from "rxjs";
import { ConfigError } from "../../../src/errors.js";
import { MemoryBudget, MemoryBudgetError } from "../../../src/mconn/memory-budget.js";
import { reassembleBatches } from "../../../src/mconn/reassemble.js";
import type { Packet } from "../../../src/wire/packet.js";

const KiB = 1024;

describe("MemoryBudget", () => {
  it("one account alone may take the whole budget; with others holding, each gets an even share of it", () => {
    const budget = new MemoryBudget(100);
    const a = budget.account();
    const b = budget.account();
    a.reserve(100);
    a.release(40);
    b.reserve(40);
    expect(() => b.reserve(11), "b's share is 50").to.throw(MemoryBudgetError);
    expect(() => a.reserve(1), "a is past its share of 50").to.throw(MemoryBudgetError);
    expect([a.held, b.held, budget.used, budget.holders]).to.deep.equal([60, 40, 100, 2]);
    b.reserve(10); // within b's share, the budget full: a, past its share, is ended
    expect([a.isClosed, a.held, b.held, budget.used, budget.holders]).to.deep.equal([true, 0, 50, 50, 1]);
    expect(() => a.reserve(1), "a closed account").to.throw(MemoryBudgetError);
    expect(budget.highWater).to.equal(100);
  });

  it("when the budget is full, a reservation within its share ends the largest holder past its share (evicted), never one within it", () => {
    const budget = new MemoryBudget(120);
    const evicted: MemoryBudgetError[] = [];
    const onEvict = (e: MemoryBudgetError) => evicted.push(e);
    const big = budget.account({ onEvict });
    const small = budget.account({ onEvict });
    big.reserve(90);
    small.reserve(30); // full: big's share is 60, small's 60
    const late = budget.account({ onEvict });
    late.reserve(10); // shares are 40 each now: big is past its share, small is not
    expect(evicted.map((e) => [e.action, e.held, e.reason])).to.deep.equal([["evicted", 90, "memory-budget"]]);
    expect([big.isClosed, big.held, small.held, late.held, budget.used, budget.evictions]).to.deep.equal([true, 0, 30, 10, 40, 1]);
    expect(big.tryReserve(1), "an evicted account takes nothing more").to.equal(false);
    // past its own share: refused, nobody is evicted for it
    expect(() => late.reserve(51)).to.throw(MemoryBudgetError).with.property("action", "refused");
    expect(evicted).to.have.length(1);
  });

  it("does not evict when everyone is within their share: the reservation is refused instead", () => {
    const budget = new MemoryBudget(100);
    const onEvict = sinon.spy();
    const [a, b] = [budget.account({ onEvict }), budget.account({ onEvict })];
    a.reserve(50);
    b.reserve(50);
    expect(a.tryReserve(1)).to.equal(false);
    expect(onEvict.callCount).to.equal(0);
  });

  it("divides per host first, then among the host's accounts", () => {
    const budget = new MemoryBudget(120);
    const x1 = budget.account({ host: "10.0.0.1" });
    const x2 = budget.account({ host: "10.0.0.1" });
    const x3 = budget.account({ host: "10.0.0.1" });
    const y = budget.account({ host: "10.0.0.2" });
    for (const a of [x1, x2, x3]) a.reserve(10);
    expect(budget.hosts).to.equal(1);
    expect(y.share, "y's host gets half, not a quarter").to.equal(60);
    y.reserve(60);
    expect([x1.share, x2.share, x3.share]).to.deep.equal([20, 20, 20]);
    expect(() => x1.reserve(11), "the host's 60 over its three accounts").to.throw(MemoryBudgetError);
    x1.reserve(10);
  });

  it("an account's floor is always its to use: below it, others past their share are evicted for it", () => {
    const budget = new MemoryBudget(100);
    const onEvict = sinon.spy();
    const hogs = Array.from({ length: 4 }, () => budget.account({ onEvict }));
    for (const h of hogs) h.reserve(25); // full, each at its share of 25
    const small = budget.account({ floor: 30, onEvict });
    expect(small.share, "its floor plus a fifth of what the floors leave: 30 + 70 / 5").to.equal(44);
    small.reserve(30); // the hogs' shares are 14 now: past theirs, they go one by one until 30 fit
    expect([small.held, budget.used, onEvict.callCount]).to.deep.equal([30, 80, 2]);
    expect(small.share, "30 + 70 / 3").to.be.closeTo(53.3, 0.1);
    expect(small.tryReserve(24)).to.equal(false);
    expect(small.tryReserve(20), "past its floor, within its share").to.equal(true);
    expect(onEvict.callCount, "nobody past their share now").to.equal(2);
  });

  it("tells an account that was refused of the next release by any account, once", () => {
    const budget = new MemoryBudget(100);
    const [a, b] = [budget.account(), budget.account()];
    a.onRelease = sinon.spy();
    b.reserve(60);
    expect(a.tryReserve(60), "past the budget").to.equal(false);
    b.release(10);
    expect((a.onRelease as sinon.SinonSpy).callCount, "room may have come free for a").to.equal(1);
    b.release(10);
    expect((a.onRelease as sinon.SinonSpy).callCount, "not refused again since").to.equal(1);
    a.close();
    expect(a.tryReserve(60)).to.equal(false);
    b.release(10);
    expect((a.onRelease as sinon.SinonSpy).callCount, "a closed account is told nothing").to.equal(1);
  });

  it("refuses a budget that is not a positive number of bytes", () => {
    expect(() => new MemoryBudget(0)).to.throw(ConfigError);
  });

  it("reassembly reserves buffer growth, gives it back when the message leaves, and errors past the share", async () => {
    const budget = new MemoryBudget(64 * KiB);
    const packets = (n: number, eof: boolean): Packet[] =>
      Array.from({ length: n }, (_, i) => ({ type: "msg" as const, channelId: 1, eof: eof && i === n - 1, data: new Uint8Array(KiB) }));
    // 8 KiB message: held while it grows, all back once it is delivered
    const one = budget.account();
    const messages = await lastValueFrom(from([packets(8, true)]).pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 1 << 20 }], one), toArray()));
    expect(messages[0].message.length).to.equal(8 * KiB);
    expect([one.held, budget.highWater]).to.deep.equal([0, 8 * KiB]);
    // a second account holds 32 KiB of a message in progress: the first may grow to its share (32 KiB) only
    const other = budget.account();
    other.reserve(32 * KiB);
    const err = await lastValueFrom(from([packets(40, false)]).pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 1 << 20 }], one))).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MemoryBudgetError);
    expect(one.held, "what it held is given back").to.equal(0);
    expect(budget.used).to.equal(32 * KiB);
  });

  it("reassembly under pressure gives up its head start on the last message's size: a small message still fits the floor", () => {
    const budget = new MemoryBudget(16 * KiB);
    const account = budget.account({ floor: 4 * KiB });
    const packets = (n: number): Packet[] => Array.from({ length: n }, (_, i) => ({ type: "msg" as const, channelId: 1, eof: i === n - 1, data: new Uint8Array(KiB) }));
    const batches = new Subject<Packet[]>();
    const got: number[] = [];
    let failed: unknown;
    batches.pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 1 << 20 }], account)).subscribe({ next: (m) => got.push(m.message.length), error: (e: unknown) => (failed = e) });
    batches.next(packets(16)); // alone: 16 KiB, the next message on the channel would start there
    const [b, c] = [budget.account(), budget.account()];
    b.reserve(4 * KiB);
    c.reserve(4 * KiB); // the account's share is now its floor plus a third of the rest: 8 KiB
    batches.next(packets(2));
    expect([got, failed, b.isClosed, c.isClosed]).to.deep.equal([[16 * KiB, 2 * KiB], undefined, false, false]);
    expect(budget.highWater).to.equal(16 * KiB);
  });

  it("a subscription that ends with a message in progress gives its memory back", async () => {
    const budget = new MemoryBudget(1 << 20);
    const account = budget.account();
    const half = Array.from({ length: 3 }, () => ({ type: "msg" as const, channelId: 1, eof: false, data: new Uint8Array(KiB) }));
    await lastValueFrom(from([half]).pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 1 << 20 }], account))).catch(() => undefined);
    expect(account.held).to.equal(0);
  });
});
