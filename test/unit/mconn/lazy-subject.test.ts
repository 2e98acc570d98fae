import { expect } from "chai";
import { LazySubject } from "../../../src/mconn/lazy-subject.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("LazySubject", () => {
  it("multicasts what is emitted while subscribed; values before any subscription reach nobody", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const s = new LazySubject<string>();
      cold("-a-b-c-|").subscribe({ next: (v) => s.next(v), complete: () => s.complete() });
      expectObservable(s.observable$, "--^").toBe("---b-c-|");
      expectObservable(s.observable$, "----^").toBe("-----c-|");
    });
  });

  it("is observed only while someone is subscribed", () => {
    const s = new LazySubject<number>();
    expect(s.observed).to.equal(false);
    const seen: number[] = [];
    const sub = s.observable$.subscribe((v) => seen.push(v));
    expect(s.observed).to.equal(true);
    s.next(1);
    sub.unsubscribe();
    expect(s.observed).to.equal(false);
    s.next(2);
    expect(seen).to.deep.equal([1]);
  });

  it("completes a subscription made after complete() at once, and emits nothing after it", () => {
    const s = new LazySubject<number>();
    const events: string[] = [];
    s.complete();
    s.next(1);
    s.observable$.subscribe({ next: (v) => events.push(`${v}`), complete: () => events.push("|") });
    expect(events).to.deep.equal(["|"]);
    expect(s.observed).to.equal(false);
  });
});
