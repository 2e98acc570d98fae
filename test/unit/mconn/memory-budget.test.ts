import { expect } from "chai";
import sinon from "sinon";
import { from, lastValueFrom, toArray } from "rxjs";
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
    expect(() => b.reserve(1), "nothing left").to.throw(MemoryBudgetError);
    a.release(60);
    b.reserve(40);
    expect(() => b.reserve(11), "b's share is 50").to.throw(MemoryBudgetError);
    b.reserve(10);
    expect(() => a.reserve(11), "a's share is 50").to.throw(MemoryBudgetError);
    expect([a.held, b.held, budget.used, budget.holders]).to.deep.equal([40, 50, 90, 2]);
    a.close();
    expect([budget.used, budget.holders]).to.deep.equal([50, 1]);
    expect(() => a.reserve(1), "a closed account").to.throw(MemoryBudgetError);
    expect(budget.highWater).to.equal(100);
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

  it("a subscription that ends with a message in progress gives its memory back", async () => {
    const budget = new MemoryBudget(1 << 20);
    const account = budget.account();
    const half = Array.from({ length: 3 }, () => ({ type: "msg" as const, channelId: 1, eof: false, data: new Uint8Array(KiB) }));
    await lastValueFrom(from([half]).pipe(reassembleBatches([{ id: 1, recvMessageCapacity: 1 << 20 }], account))).catch(() => undefined);
    expect(account.held).to.equal(0);
  });
});
