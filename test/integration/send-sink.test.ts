/**
 * `peer.send$` as a stream sink on real sockets: a burst piped into it waits for room instead
 * of being dropped, in order per channel, held within the connection's send buffer; only what
 * outruns that bound is refused, and that is counted and said.
 */
import { expect } from "chai";
import { map, range } from "rxjs";
import type { MConnError } from "../../src/errors.js";
import type { Dropped, Outbound, Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const HIGH = 0x41; // priority 5
const LOW = 0x42; // priority 1
const SIZE = 4 * 1024;
const COUNT = 300;
const turn = () => new Promise((r) => setImmediate(r));

/** Message `i` of channel `channelId`: SIZE bytes, numbered. */
function numbered(channelId: number, i: number): Outbound {
  const message = new Uint8Array(SIZE);
  new DataView(message.buffer).setUint32(0, i);
  message[4] = channelId;
  return { channelId, message };
}

describe("peer.send$ on real sockets: a burst piped in is delivered, not dropped", function () {
  this.timeout(60_000);
  const started: Switch[] = [];
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  async function pair(mconnection: Record<string, number> = {}): Promise<{ sender: Switch; receiver: Switch; peer: Peer }> {
    const reactor = { channels: [{ id: HIGH, priority: 5 }, { id: LOW, priority: 1 }] };
    const receiver = makeSwitch({ r: reactor }).sw;
    const sender = makeSwitch({ r: reactor }, { mconnection }).sw;
    started.push(receiver, sender);
    await receiver.start();
    await sender.start();
    const added = nextPeerEvents(sender, "added", 1);
    await sender.dial(receiver.address!);
    const [{ peer }] = await added;
    return { sender, receiver, peer };
  }

  /** Takes every message of `channelId` through `messages()`, a few turns of the event loop each. */
  async function slowly(receiver: Switch, channelId: number, expected: number): Promise<{ got: number[]; maxBuffered: number }> {
    const iterator = receiver.channel(channelId).messages({ highWaterMark: 8 });
    const got: number[] = [];
    let maxBuffered = 0;
    for await (const { message } of iterator) {
      expect(message.length).to.equal(SIZE);
      expect(message[4]).to.equal(channelId);
      got.push(new DataView(message.buffer, message.byteOffset).getUint32(0));
      maxBuffered = Math.max(maxBuffered, iterator.buffered);
      if (got.length === expected) break;
      for (let i = 0; i < 5; i++) await turn(); // the consumer takes its time
    }
    return { got, maxBuffered };
  }

  it("300 messages of 4 KiB on each of two channels (priorities 5 and 1), piped at once, to a slow messages() consumer: 600/600 in order, held within the send buffer", async () => {
    const { sender, receiver, peer } = await pair();
    const dropped: Dropped[] = [];
    peer.dropped$.subscribe((d) => dropped.push(d));
    const high = slowly(receiver, HIGH, COUNT);
    const low = slowly(receiver, LOW, COUNT);
    range(0, COUNT).pipe(map((i) => numbered(HIGH, i))).subscribe(peer.send$);
    range(0, COUNT).pipe(map((i) => numbered(LOW, i))).subscribe(peer.send$);
    const [h, l] = await within(Promise.all([high, low]), 50_000, "600 messages");
    const inOrder = Array.from({ length: COUNT }, (_, i) => i);
    expect(h.got).to.deep.equal(inOrder);
    expect(l.got).to.deep.equal(inOrder);
    expect(dropped).to.deep.equal([]);
    expect(peer.connection.status().map((c) => c.dropped)).to.deep.equal([0, 0]);
    // Bounded: what the sender held (send buffer, queues, the message being cut) never passed
    // the send buffer plus a queue of one and one being sent per channel; the receiver's
    // iterators held at most their high-water mark plus one socket read.
    const bound = peer.connection.config.sendBufferSize + 2 * 2 * SIZE;
    expect(sender.memoryBudget.highWater).to.be.within(COUNT * SIZE, bound);
    expect(Math.max(h.maxBuffered, l.maxBuffered)).to.be.at.most(8 + (64 * 1024) / SIZE + 1);
    expect(peer.isRunning).to.equal(true);
  });

  it("a source outrunning the send buffer: what does not fit is refused (buffer-full on dropped$, counted, said once), the rest delivered in order", async () => {
    const sendBufferSize = 64 * 1024;
    const { sender, receiver, peer } = await pair({ sendBufferSize });
    const dropped: number[] = [];
    peer.dropped$.subscribe((d) => {
      expect(d.reason).to.equal("buffer-full");
      dropped.push(new DataView(d.message.buffer, d.message.byteOffset).getUint32(0));
    });
    const said: MConnError[] = [];
    sender.errors$.subscribe((e) => said.push(e));
    range(0, COUNT).pipe(map((i) => numbered(HIGH, i))).subscribe(peer.send$);
    // one queued, sendBufferSize / SIZE held: the rest refused at once
    const held = sendBufferSize / SIZE;
    expect(dropped).to.deep.equal(Array.from({ length: COUNT - 1 - held }, (_, i) => 1 + held + i));
    expect(peer.connection.status()[0].dropped).to.equal(dropped.length);
    expect(said.map((e) => e.reason)).to.deep.equal(["send-buffer-full"]);
    const { got } = await within(slowly(receiver, HIGH, 1 + held), 20_000, "the messages held");
    expect(got).to.deep.equal(Array.from({ length: 1 + held }, (_, i) => i));
    expect(sender.memoryBudget.highWater).to.be.at.most(sendBufferSize + 2 * SIZE);
  });
});
