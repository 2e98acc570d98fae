import { expect } from "chai";
import { take } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { connectedPair } from "rx-mconn/testing";

it("delivers what one end sends at frame 1 to the other at frame 1", () => {
  const testScheduler = new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
  testScheduler.run(({ expectObservable }) => {
    const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: testScheduler });
    // expectObservable subscribes at frame 0, after the callback returns: send later than that
    testScheduler.schedule(() => void a.trySend(1, Uint8Array.of(42)), 1);
    expectObservable(b.channel(1).messages$.pipe(take(1))).toBe("-(m|)", { m: Uint8Array.of(42) });
    testScheduler.schedule(() => void a.close(), 10);
  });
});
