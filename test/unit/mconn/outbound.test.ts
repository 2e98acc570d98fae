import { expect } from "chai";
import { resolveChannels } from "../../../src/mconn/channel-descriptor.js";
import { verifyConfig } from "../../../src/mconn/config.js";
import { outbound } from "../../../src/mconn/outbound.js";
import { OutboundChannel } from "../../../src/mconn/outbound-channel.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("outbound: the scheduler made on first use and let go when spent", () => {
  it("makes the scheduler at the first message queued, lets it go once the queues are empty and recentlySent has decayed to 0, and goes on from its counters", () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      let kicks = 0;
      const out = outbound(resolveChannels([{ id: 1 }, { id: 2 }]), verifyConfig({}), ts, undefined, {
        queued: () => kicks++,
        failed: (err) => {
          throw err;
        },
      });
      const made = () => out.counters(0) instanceof OutboundChannel;
      const seen: unknown[] = [];
      expect([made(), out.senders.filter(Boolean).length]).to.deep.equal([false, 0]);
      cold("a 99999ms b 99999ms c 9ms d").subscribe((v) => {
        if (v === "a") {
          expect(out.sender(0).trySend(new Uint8Array(10))).to.equal(true);
          seen.push(made(), out.pull(65_536).packets.length, out.pull(65_536).packets.length, made());
        } else if (v === "b") {
          // 100 s later: 50 periods of 0.8 have brought recentlySent to 0.
          seen.push(out.pull(65_536).packets.length, made(), out.counters(0).sentMessages, out.counters(0).sentBytes);
        } else if (v === "c") {
          expect(out.sender(0).trySend(new Uint8Array(20))).to.equal(true);
          seen.push(made(), out.counters(0).sentMessages, out.pull(65_536).bytes, out.counters(0).sentMessages, out.counters(0).sentBytes);
        } else seen.push(out.pull(65_536).packets.length, made());
      });
      flush();
      expect(seen).to.deep.equal([
        true, 1, 0, true, // made; one packet, then nothing; kept while recentlySent > 0
        0, false, 1, 10, // let go, its counters kept
        true, 1, 29, 2, 30, // made again, going on from them (a 20-byte message is 29 bytes on the wire)
        0, true, // 10 ms later recentlySent is not 0: kept
      ]);
      expect(kicks).to.equal(2);
      out.stop();
    });
  });
});
