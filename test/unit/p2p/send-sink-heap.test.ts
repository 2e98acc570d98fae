/**
 * What `peer.send$` keeps of the sources piped into it: nothing once they are done. Counted,
 * not timed: each source's teardown is watched through a `WeakRef`, and after forced
 * collections none may still be reachable.
 */
import { expect } from "chai";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Observable } from "rxjs";
import type { Outbound } from "../../../src/p2p/peer.js";
import { connectedPeers } from "../../../src/testing/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const SOURCES = 100_000;

describe("peer.send$ keeps nothing of a finished source", function () {
  this.timeout(120_000);

  it("100,000 sources piped into one live peer, each completing or erroring: every teardown runs and none is retained", async () => {
    const [a, b] = connectedPeers({ channels: [{ id: 1, sendQueueCapacity: 64 }] });
    let received = 0;
    a.connection.channel(1).messages$.subscribe(() => received++);
    let tornDown = 0;
    let errors = 0;
    b.errors$.subscribe(() => errors++);
    const watched: WeakRef<object>[] = [];
    for (let i = 0; i < SOURCES; i++) {
      const source = new Observable<Outbound>((subscriber) => {
        subscriber.next({ channelId: 1, message: Uint8Array.of(i & 0xff) });
        if (i % 10 === 0) subscriber.error(new Error("source failed"));
        else subscriber.complete();
        const teardown = () => {
          tornDown++;
        };
        watched.push(new WeakRef(teardown));
        return teardown;
      });
      source.subscribe(b.send$);
    }
    expect(tornDown).to.equal(SOURCES);
    expect(errors).to.equal(SOURCES / 10);
    while (received < SOURCES) await new Promise((r) => setImmediate(r));
    expect(b.isRunning).to.equal(true);
    await new Promise((r) => setImmediate(r)); // WeakRef targets are kept to the end of the job that made them
    gc();
    gc();
    const retained = watched.filter((w) => w.deref() !== undefined).length;
    expect(retained).to.equal(0);
    await b.connection.close();
  });
});
