import { expect } from "chai";
import { generateNodeKey, secretAuthenticator, Switch } from "rx-mconn";

const FEED = 0x41;
const node = () => {
  const key = generateNodeKey();
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "example", listen: "127.0.0.1:0", allowDuplicateIp: true });
  sw.addReactor("feed", { channels: [{ id: FEED, sendQueueCapacity: 4 }] });
  return sw;
};

it("a slow consumer pulls messages; the sender is paced by it, nothing is lost", async () => {
  const [us, them] = [node(), node()];
  await Promise.all([us.start(), them.start()]);
  try {
    // Them: a continuous sender, pulled one message at a time as the queue has room.
    let produced = 0;
    function* feed() {
      for (;;) yield new TextEncoder().encode(String(produced++).padEnd(1024)); // 1 KiB each
    }
    const peer = await them.dial(us.address!);
    const sending = peer.sendFrom(feed(), FEED); // stops when the peer ends; unsubscribe to stop sooner

    // Us: slow work on each message (here 20 turns of the event loop, while the sender writes
    // a 64 KiB buffer a turn). When 16 wait, we stop reading that peer's socket and TCP slows it.
    const slowWork = async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    let taken = 0;
    for await (const { message } of us.channel(FEED).messages({ highWaterMark: 16 })) {
      expect(new TextDecoder().decode(message).trimEnd()).to.equal(String(taken)); // in order, none lost
      await slowWork();
      if (++taken === 100) break;
    }
    sending.unsubscribe();
    expect(produced - taken).to.be.below(2500); // about the pacing window (~1 MiB, ~1,000 messages) ahead, not what the sockets' buffers hold
  } finally {
    await Promise.all([us.stop(), them.stop()]);
  }
});
