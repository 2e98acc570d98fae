import { map, take } from "rxjs";
import { expect } from "chai";
import { connectedPeers } from "../../../src/testing/index.js";
import { testScheduler } from "../../helpers/marbles.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe("connectedPeers (testing kit)", () => {
  it("connectedPeers: a reactor's peer-facing code, marble-tested (send$ on one, messages on the other)", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a, b] = connectedPeers({ channels: [{ id: 0x40, sendQueueCapacity: 5 }], scheduler: ts });
      // a is the node at the far end as b's side sees it: what b sends arrives on a's connection
      expect(a.id).to.equal("a".repeat(40));
      expect(b.hasChannel(0x40)).to.equal(true);
      expectObservable(a.connection.channel(0x40).messages$.pipe(map(str), take(2))).toBe("5ms x 4ms (y|)", { x: "one", y: "two" });
      cold("5ms x 4ms y", { x: "one", y: "two" }).subscribe((t) => b.send$.next({ channelId: 0x40, message: text(t) }));
      ts.schedule(() => void b.connection.close(), 20);
    });
  });
});
