import { expect } from "chai";
import { firstValueFrom, map, Subject, take, toArray } from "rxjs";
import { GuardedObservable } from "../../../src/p2p/guarded-observable.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("GuardedObservable (public RxJS only)", () => {
  it("a subscriber's throw goes to report with the value; the stream goes on for it and others", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const reports: string[] = [];
      const guarded = GuardedObservable.from(cold("-a-b-c-|", { a: "a", b: "b", c: "c" }), (err, v) => reports.push(`${String(v)}:${(err as Error).message}`));
      const seen: string[] = [];
      guarded.subscribe((v) => {
        seen.push(v);
        if (v === "b") throw new Error("boom");
      });
      expectObservable(guarded).toBe("-a-b-c-|", { a: "a", b: "b", c: "c" });
      expectObservable(cold("-------x").pipe(map(() => [...seen, ...reports].join(",")))).toBe("-------x", { x: "a,b,c,b:boom" });
    });
  });

  it("the guard follows pipe(): a throw in the user's map or an error without a handler is reported, not rethrown", () => {
    testScheduler().run(({ cold, flush }) => {
      const reports: unknown[] = [];
      const guarded = GuardedObservable.from(cold("-a-(b|)", { a: "a", b: "b" }), (err) => reports.push(err));
      const piped = guarded.pipe(
        map((v) => {
          if (v === "b") throw new Error("parse");
          return v.toUpperCase();
        }),
      );
      expect(piped).to.be.instanceOf(GuardedObservable);
      const seen: string[] = [];
      piped.subscribe((v) => seen.push(v)); // no error handler
      flush();
      expect(seen).to.deep.equal(["A"]);
      expect(reports.map((e) => (e as Error).message)).to.deep.equal(["parse"]);
    });
  });

  it("operators and firstValueFrom (Subscribers) pass through: values, completion and errors as RxJS gives them", async () => {
    const source = new Subject<number>();
    const reports: unknown[] = [];
    const guarded = GuardedObservable.from(source, (err) => reports.push(err));
    const first = firstValueFrom(guarded.pipe(map((n) => n * 2)));
    const three = firstValueFrom(guarded.pipe(take(3), toArray()));
    source.next(1);
    source.next(2);
    source.next(3);
    expect(await first).to.equal(2);
    expect(await three).to.deep.equal([1, 2, 3]);
    const failed = firstValueFrom(guarded).catch((e: unknown) => e);
    source.error(new Error("down"));
    expect(((await failed) as Error).message).to.equal("down");
    expect(reports).to.deep.equal([]);
  });
});
