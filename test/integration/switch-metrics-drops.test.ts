import { expect } from "chai";
import { switchMetrics } from "../../src/metrics/switch-metrics.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";

describe("switchMetrics: drops", function () {
  this.timeout(30_000);

  it("counts messages refused by a peer's full send queue, per peer and channel", async () => {
    const a = makeSwitch({ chat: { channels: [{ id: 0x40, sendQueueCapacity: 1 }] } }).sw;
    const b = makeSwitch({ chat: { channels: [{ id: 0x40, sendQueueCapacity: 1 }] } }).sw;
    const metrics = switchMetrics(a);
    try {
      await a.start();
      await b.start();
      const added = nextPeerEvents(a, "added", 1);
      await b.dial(a.address!);
      const [event] = await added;
      const peer = event.peer;
      // The first fills the one-message queue; the next two are refused before any flush runs.
      expect([0, 1, 2].map(() => peer.trySend(0x40, new Uint8Array(10)))).to.deep.equal([true, false, false]);
      const text = await metrics.registry.metrics();
      expect(text).to.include(`cometbft_p2p_peer_send_dropped_messages_total{peer_id="${peer.id}",chID="0x40"} 2`);
    } finally {
      metrics.stop();
      await Promise.allSettled([a.stop(), b.stop()]);
    }
  });
});
