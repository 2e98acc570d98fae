import { expect } from "chai";
import { DialError } from "../../../../src/p2p/errors.js";
import { SimRandom } from "../../../../src/testing/sim/random.js";
import { linkDefaults, type LinkEnd } from "../../../../src/testing/sim/sim-link.js";
import { SimNetwork, type SimHost } from "../../../../src/testing/sim/sim-network.js";
import { VirtualClock } from "../../../../src/testing/sim/virtual-clock.js";

const ID = "ab".repeat(20);

function setup(model: Partial<typeof linkDefaults> = {}) {
  const clock = new VirtualClock();
  const net = new SimNetwork(clock, { ...linkDefaults, jitter: 0, ...model }, new SimRandom(1));
  const a = net.addHost(0);
  const b = net.addHost(1);
  const accepted: LinkEnd[] = [];
  b.listener = { port: 26656, accept: (end) => accepted.push(end) };
  return { clock, net, a, b, accepted };
}

/** What `end` receives, with the virtual time of each chunk, and how it ended. */
function record(clock: VirtualClock, end: LinkEnd) {
  const got: { at: number; text: string }[] = [];
  const state = { ended: "", at: -1 };
  end.incoming$.subscribe({
    next: (c) => got.push({ at: clock.now(), text: Buffer.from(c).toString() }),
    complete: () => Object.assign(state, { ended: "complete", at: clock.now() }),
    error: (e: Error) => Object.assign(state, { ended: `error: ${e.message}`, at: clock.now() }),
  });
  return { got, state };
}

async function connected(s: ReturnType<typeof setup>, from: SimHost = s.a) {
  let dialer: LinkEnd | undefined;
  void s.net.connect(from, { id: ID, host: s.b.ip, port: 26656 }, 1000).then((e) => (dialer = e));
  await s.clock.runUntil(s.clock.now() + 1000);
  if (dialer === undefined) throw new Error("not connected within the dial timeout");
  return { dialer, acceptor: s.accepted.at(-1) as LinkEnd };
}

describe("SimNetwork and SimLink (simulated hosts and connections)", () => {
  it("gives hosts routable IPv4 addresses, one /16 per group", () => {
    const { a, b, net } = setup();
    const c = net.addHost(0);
    expect([a.ip, c.ip, b.ip]).to.deep.equal(["11.0.0.1", "11.0.0.2", "11.1.0.1"]);
  });

  it("connects in one round trip and delivers each way after one latency, in order", async () => {
    const s = setup({ latency: 40 });
    const latency = s.net.latency(s.a, s.b);
    expect(latency).to.be.within(20, 60);
    let upAt = -1;
    let dialer: LinkEnd | undefined;
    void s.net.connect(s.a, { id: ID, host: s.b.ip, port: 26656 }, 1000).then((e) => {
      upAt = s.clock.now();
      dialer = e;
    });
    await s.clock.runUntil(1000);
    expect(upAt).to.equal(2 * latency);
    if (dialer === undefined) throw new Error("not connected");
    const d = dialer;
    const acceptor = s.accepted[0];
    const there = record(s.clock, acceptor);
    const back = record(s.clock, d);
    const t0 = s.clock.now();
    s.clock.schedule(() => {
      d.write(Buffer.from("one"));
      d.write(Buffer.from("two"));
      acceptor.write(Buffer.from("back"));
    });
    await s.clock.runUntil(t0 + 1000);
    expect(there.got).to.deep.equal([
      { at: t0 + latency, text: "one" },
      { at: t0 + latency, text: "two" },
    ]);
    expect(back.got).to.deep.equal([{ at: t0 + latency, text: "back" }]);
    expect(s.a.connections).to.equal(1);
    expect(s.b.connections).to.equal(1);
  });

  it("keeps order under jitter and paces chunks at the bandwidth", async () => {
    const s = setup({ latency: 10, jitter: 30, bandwidth: 1000 });
    const { dialer, acceptor } = await connected(s);
    const seen = record(s.clock, acceptor);
    const t0 = s.clock.now();
    s.clock.schedule(() => {
      for (let i = 0; i < 10; i++) dialer.write(Buffer.from(`${i}`.padEnd(100, ".")));
    });
    await s.clock.runUntil(t0 + 5000);
    expect(seen.got.map((g) => g.text[0])).to.deep.equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    // 10 chunks of 100 bytes at 1000 B/s: the last leaves a second after the first
    expect(seen.got[9].at - t0).to.be.at.least(1000);
  });

  it("applies backpressure: write() is false past 64 KiB unread, drained$ fires once read", async () => {
    const s = setup();
    const { dialer, acceptor } = await connected(s);
    let drained = 0;
    dialer.drained$.subscribe(() => drained++);
    acceptor.pause();
    const sub = acceptor.incoming$.subscribe();
    let ok = true;
    s.clock.schedule(() => {
      for (let i = 0; i < 20 && ok; i++) ok = dialer.write(new Uint8Array(4096));
    });
    await s.clock.runUntil(s.clock.now() + 500);
    expect(ok).to.equal(false);
    expect(drained).to.equal(0);
    acceptor.resume();
    expect(drained).to.equal(1);
    sub.unsubscribe();
  });

  it("holds data at a cut and delivers it after the heal; dials across the cut time out", async () => {
    const s = setup();
    const { dialer, acceptor } = await connected(s);
    const seen = record(s.clock, acceptor);
    s.net.partition((h) => (h === s.a ? 0 : 1));
    s.clock.schedule(() => dialer.write(Buffer.from("held")));
    await s.clock.runUntil(s.clock.now() + 10_000);
    expect(seen.got).to.deep.equal([]);
    let failed: unknown;
    const t0 = s.clock.now();
    void s.net.connect(s.a, { id: ID, host: s.b.ip, port: 26656 }, 1000).catch((e: unknown) => (failed = e));
    await s.clock.runUntil(t0 + 2000);
    expect(failed).to.be.instanceOf(DialError);
    expect((failed as Error).message).to.match(/timed out after 1000 ms/);
    const healedAt = s.clock.now();
    s.net.heal();
    await s.clock.runUntil(healedAt + 1000);
    expect(seen.got.map((g) => g.text)).to.deep.equal(["held"]);
    expect(seen.got[0].at - healedAt).to.equal(s.net.latency(s.a, s.b));
  });

  it("refuses a dial to a port nothing listens on after a round trip", async () => {
    const s = setup();
    let failed: unknown;
    void s.net.connect(s.a, { id: ID, host: s.b.ip, port: 1 }, 1000).catch((e: unknown) => (failed = e));
    await s.clock.runUntil(1000);
    expect((failed as Error).message).to.match(/connection refused/);
  });

  it("a crash fails the crashed host's ends at once and leaves the far ends silent", async () => {
    const s = setup();
    const { dialer, acceptor } = await connected(s);
    const far = record(s.clock, acceptor);
    const near = record(s.clock, dialer);
    s.net.crash(s.a);
    expect(near.state.ended).to.match(/^error: .*crashed/);
    await s.clock.runUntil(s.clock.now() + 60_000);
    expect(far.state.ended).to.equal("");
    expect(s.a.connections).to.equal(1);
    acceptor.destroy();
    expect(s.a.connections).to.equal(0);
    expect(s.b.connections).to.equal(0);
  });

  it("a dialer that crashes before its ACK arrives leaves nothing at the listener: no accept, and the hosts' counts freed", async () => {
    const s = setup({ latency: 40 });
    const latency = s.net.latency(s.a, s.b);
    let dialer: LinkEnd | undefined;
    void s.net.connect(s.a, { id: ID, host: s.b.ip, port: 26656 }, 1000).then((e) => (dialer = e));
    await s.clock.runUntil(2 * latency);
    expect(dialer).to.not.equal(undefined);
    expect([s.accepted.length, s.b.connections]).to.deep.equal([0, 1]);
    s.net.crash(s.a);
    await s.clock.runUntil(s.clock.now() + 60_000);
    expect([s.accepted.length, s.a.connections, s.b.connections]).to.deep.equal([0, 0, 0]);
  });

  it("ends a connection cleanly: end() on both sides completes both and frees the hosts' counts", async () => {
    const s = setup();
    const { dialer, acceptor } = await connected(s);
    const far = record(s.clock, acceptor);
    const near = record(s.clock, dialer);
    s.clock.schedule(() => {
      dialer.write(Buffer.from("last"));
      dialer.end();
    });
    await s.clock.runUntil(s.clock.now() + 500);
    expect(far.got.map((g) => g.text)).to.deep.equal(["last"]);
    expect(far.state.ended).to.equal("complete");
    expect(s.b.connections).to.equal(1);
    s.clock.schedule(() => acceptor.end());
    await s.clock.runUntil(s.clock.now() + 500);
    expect(near.state.ended).to.equal("complete");
    expect(s.a.connections + s.b.connections).to.equal(0);
  });
});
