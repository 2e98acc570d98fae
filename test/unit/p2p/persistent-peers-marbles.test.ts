import { Observable } from "rxjs";
import { silentLogger } from "../../../src/logger.js";
import type { CloseReason } from "../../../src/mconn/close-reason.js";
import { backoffDefaults, type BackoffOptions } from "../../../src/p2p/backoff.js";
import { parseNetAddress } from "../../../src/p2p/netaddress.js";
import { PersistentPeers } from "../../../src/p2p/persistent-peers.js";
import { TransportError } from "../../../src/errors.js";
import { testScheduler } from "../../helpers/marbles.js";
import type { TestScheduler } from "rxjs/testing";

const ID = "a".repeat(40);
const addr = parseNetAddress(`${ID}@127.0.0.1:26656`);

/**
 * A dial's outcome whose callbacks run at once: a marble run is synchronous, so the redial loop
 * reacts to the dial in the frame it was made, and the waits are the scheduler's alone.
 */
function settledNow(error?: Error): PromiseLike<unknown> {
  const thenable = {
    then(ok?: ((value: unknown) => unknown) | null, fail?: ((reason: unknown) => unknown) | null) {
      if (error === undefined) ok?.(undefined);
      else fail?.(error);
      return thenable;
    },
  };
  return thenable as PromiseLike<unknown>;
}

interface Loop {
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** What each dial does (default: it fails). */
  readonly dial?: (peers: PersistentPeers) => PromiseLike<unknown>;
}

/**
 * The redial loop of one persistent peer as marbles: `d` for each dial, `g` when it gives up.
 * The loop starts when subscribed and stops when unsubscribed.
 */
function redials(ts: TestScheduler, loop: Loop = {}): Observable<string> {
  return new Observable<string>((subscriber) => {
    const logger = { ...silentLogger, warn: () => subscriber.next("g") };
    const peers: PersistentPeers = new PersistentPeers([addr], {
      dial: () => {
        subscriber.next("d");
        return (loop.dial ?? (() => settledNow(new TransportError("refused"))))(peers);
      },
      backoff: loop.backoff ?? { ...backoffDefaults, jitter: 0 },
      minConnectionLifetime: 10_000,
      random: loop.random ?? (() => 0),
      scheduler: ts,
      logger,
    });
    peers.start();
    return () => peers.stop();
  });
}

/** Each dial connects; the connection ends `lives` ms later with `reason`. */
const connectsFor = (ts: TestScheduler, lives: number, reason: CloseReason = { kind: "remote-closed" }) => (peers: PersistentPeers) => {
  peers.connected(ID);
  ts.schedule(() => peers.ended(ID, reason), lives);
  return settledNow();
};

describe("PersistentPeers: redial backoff (marbles)", () => {
  it("an unreachable peer is redialled steadyInterval apart, then after the exponential waits, then given up", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // 3 steady attempts 5 s apart, then 2 more: 5 s + 2^1 s, then 2^2 s; then no more
      const backoff = { steadyAttempts: 3, steadyInterval: 5000, backoffAttempts: 2, backoffBaseSeconds: 2, jitter: 0 };
      expectObservable(redials(ts, { backoff }), "^ 60s !").toBe("d 4999ms d 4999ms d 6999ms d 3999ms (dg)");
    });
  });

  it("adds random() × jitter to every wait", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const backoff = { steadyAttempts: 3, steadyInterval: 5000, backoffAttempts: 0, backoffBaseSeconds: 2, jitter: 3000 };
      expectObservable(redials(ts, { backoff, random: () => 0.5 }), "^ 60s !").toBe("d 6499ms d 6499ms (dg)");
    });
  });

  it("a connection that ends within minConnectionLifetime counts as a failed attempt: the next dial waits steadyInterval", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // connected 50 ms each time, then 5 s of backoff: dials at 0, 5050, 10100
      expectObservable(redials(ts, { dial: connectsFor(ts, 50) }), "^ 12s !").toBe("d 5049ms d 5049ms d");
    });
  });

  it("a connection that lived minConnectionLifetime is redialled at once, the backoff started over", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(redials(ts, { dial: connectsFor(ts, 10_000) }), "^ 25s !").toBe("d 9999ms d 9999ms d");
    });
  });

  it("a connection we closed ourselves is not redialled", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(redials(ts, { dial: connectsFor(ts, 50, { kind: "closed" }) }), "^ 60s !").toBe("d");
    });
  });

  it("stop() cancels the redial that was due", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(redials(ts), "^ 2s !").toBe("d");
      // what the loop would have done: the second dial at 5 s
      expectObservable(redials(ts), "^ 6s !").toBe("d 4999ms d");
    });
  });
});
