import { expect } from "chai";
import sinon from "sinon";
import { Echo, type EchoPeer } from "../../../src/cli/echo.js";
import { silentLogger } from "../../../src/logger.js";
import { MemoryBudget, type MemoryBudgetError } from "../../../src/mconn/memory-budget.js";

/** A peer whose `send` resolves only when the test says so, in call order. */
function heldPeer(id = "a".repeat(40)) {
  const pending: Array<{ channelId: number; message: Uint8Array; resolve: (sent: boolean) => void }> = [];
  const peer: EchoPeer = {
    id,
    send: (channelId, message) => new Promise<boolean>((resolve) => pending.push({ channelId, message, resolve })),
  };
  return { peer, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const msg = (n: number, fill = 0) => new Uint8Array(n).fill(fill);

describe("the echo of rx-mconn node", () => {
  it("sends one message per channel at a time, waiting for the peer to take it, in arrival order", async () => {
    const { peer, pending } = heldPeer();
    const echo = new Echo(10_000, silentLogger);
    echo.echo(peer, 0x40, msg(10, 1));
    echo.echo(peer, 0x40, msg(10, 2));
    echo.echo(peer, 0x41, msg(10, 3));
    await flush();
    expect(pending.map((p) => [p.channelId, p.message[0]])).to.deep.equal([
      [0x40, 1],
      [0x41, 3],
    ]);
    pending[0].resolve(true);
    await flush();
    expect(pending.map((p) => [p.channelId, p.message[0]])).to.deep.equal([
      [0x40, 1],
      [0x41, 3],
      [0x40, 2],
    ]);
    pending[1].resolve(true);
    pending[2].resolve(true);
    await flush();
    expect(echo.counts).to.deep.equal({ echoed: 3, dropped: 0 });
  });

  it("holds at most bufferBytes per peer (the message being sent included); beyond, drops, counts and warns", async () => {
    const { peer, pending } = heldPeer();
    const other = heldPeer("b".repeat(40));
    const log = { ...silentLogger, warn: sinon.spy() };
    const echo = new Echo(25, log);
    echo.echo(peer, 0x40, msg(10));
    echo.echo(peer, 0x40, msg(10));
    echo.echo(peer, 0x41, msg(10)); // 30 > 25: dropped
    echo.echo(other.peer, 0x40, msg(20)); // another peer has its own bound
    echo.echo(peer, 0x40, msg(5)); // 25: held
    await flush();
    expect(echo.counts).to.deep.equal({ echoed: 0, dropped: 1 });
    sinon.assert.calledOnceWithExactly(log.warn, { peer: peer.id, channel: 0x41, bytes: 10, reason: "buffer-full", dropped: 1, bufferBytes: 25 }, "echo dropped");
    pending[0].resolve(true);
    await flush();
    echo.echo(peer, 0x41, msg(10)); // room again: 15 + 10
    await flush();
    expect(pending.map((p) => [p.channelId, p.message.length])).to.deep.equal([
      [0x40, 10],
      [0x40, 10],
      [0x41, 10],
    ]);
    expect(other.pending).to.have.length(1);
  });

  it("counts a message the peer did not take (send timeout, peer gone, send threw) as dropped, and goes on with the next", async () => {
    const peer: EchoPeer & { send: sinon.SinonStub } = { id: "c".repeat(40), send: sinon.stub() };
    peer.send.onCall(0).resolves(false);
    peer.send.onCall(1).rejects(new Error("gone"));
    peer.send.onCall(2).resolves(true);
    const echo = new Echo(100, silentLogger);
    for (let i = 0; i < 3; i++) echo.echo(peer, 0x40, msg(10, i));
    await flush();
    expect(peer.send.args.map(([, m]) => (m as Uint8Array)[0])).to.deep.equal([0, 1, 2]);
    expect(echo.counts).to.deep.equal({ echoed: 1, dropped: 2 });
  });

  it("warns on the 1st, 2nd, 4th, 8th … drop only, with the running count", () => {
    const log = { ...silentLogger, warn: sinon.spy() };
    const echo = new Echo(1, log);
    const { peer } = heldPeer();
    for (let i = 0; i < 20; i++) echo.echo(peer, 0x40, msg(2));
    expect(echo.counts.dropped).to.equal(20);
    expect(log.warn.args.map(([fields]) => (fields as { dropped: number }).dropped)).to.deep.equal([1, 2, 4, 8, 16]);
  });

  it("draws from the memory budget per peer's host: past its share a message is dropped; a peer within its share ends the largest holder past its own", async () => {
    const budget = new MemoryBudget(100);
    const a = heldPeer("a".repeat(40));
    const b = heldPeer("b".repeat(40));
    const peerA = { ...a.peer, socketAddr: "10.0.0.1:26656" };
    const peerB = { ...b.peer, socketAddr: "10.0.0.2:26656" };
    const onEvict = sinon.spy();
    const echo = new Echo(1000, silentLogger, { budget, onEvict });
    for (let i = 0; i < 8; i++) echo.echo(peerA, 0x40, msg(10)); // A alone: the whole budget is its share
    expect(budget.used).to.equal(80);
    echo.echo(peerB, 0x40, msg(30)); // B's share is 50 now, A's too: A, past it, is evicted
    expect(onEvict.callCount).to.equal(1);
    const [evictedPeer, error] = onEvict.args[0] as [EchoPeer, MemoryBudgetError];
    expect([evictedPeer.id, error.action, error.held]).to.deep.equal([peerA.id, "evicted", 80]);
    expect(echo.counts, "A's 7 messages waiting behind the one being sent").to.deep.equal({ echoed: 0, dropped: 7 });
    expect(budget.used, "A holds nothing now").to.equal(30);
    echo.echo(peerB, 0x41, msg(80)); // past B's share (the whole budget, 100, with A gone): 110
    expect(echo.counts.dropped).to.equal(8);
    echo.echo(peerA, 0x40, msg(10)); // A's account is closed: dropped
    expect(echo.counts.dropped).to.equal(9);
    a.pending[0].resolve(false);
    b.pending[0].resolve(true);
    await flush();
    expect(budget.used, "everything given back").to.equal(0);
    expect(echo.counts.echoed).to.equal(1);
  });

  it("refuses a bound that is not positive", () => {
    expect(() => new Echo(0, silentLogger)).to.throw(RangeError);
  });
});
