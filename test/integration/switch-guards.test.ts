/**
 * User code cannot break the node: every subscriber, filter and hook the switch calls is
 * guarded. A throw ends at most the peer it concerns, is logged once and reported on errors$;
 * other peers keep exchanging messages.
 */
import { expect } from "chai";
import { filter, firstValueFrom, map, take, toArray } from "rxjs";
import sinon from "sinon";
import { DecodeError, FilterError, ReactorError, SubscriberError } from "../../src/p2p/errors.js";
import type { Reactor } from "../../src/p2p/reactor.js";
import type { Switch } from "../../src/p2p/switch.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const CH = 0x40;
const text = (s: string) => new TextEncoder().encode(s);

function spyLogger() {
  return { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
}

describe("Switch: guarded user code", function () {
  this.timeout(30_000);
  const started: Switch[] = [];
  async function start(options: Parameters<typeof makeSwitch>[1] = {}, reactor: Reactor = { channels: [{ id: CH, sendQueueCapacity: 10 }] }) {
    const made = makeSwitch({ chat: reactor }, options);
    started.push(made.sw);
    await made.sw.start();
    return made.sw;
  }
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  });

  /** A hub and two spokes dialed into it; resolves once the hub has both. */
  async function hubWithTwo(hubOptions: Parameters<typeof makeSwitch>[1] = {}) {
    const logger = spyLogger();
    const hub = await start({ logger, ...hubOptions });
    const [b, c] = await Promise.all([start(), start()]);
    const added = nextPeerEvents(hub, "added", 2);
    await b.dial(hub.address!);
    await c.dial(hub.address!);
    await added;
    return { hub, b, c, logger };
  }

  it("messages$: a subscriber parsing JSON from an untrusted peer throws; only that peer ends (SubscriberError), the other keeps talking", async () => {
    const { hub, b, c, logger } = await hubWithTwo();
    const parsed: unknown[] = [];
    hub.channel(CH).messages$.subscribe(({ message }) => parsed.push(JSON.parse(new TextDecoder().decode(message))));
    const reported = firstValueFrom(hub.errors$);
    const removed = nextPeerEvents(hub, "removed", 1);
    b.broadcast(CH, text("{not json"));
    const [event] = await removed;
    expect(event.peer.id).to.equal(b.nodeId);
    const reason = event.type === "removed" ? event.reason : undefined;
    expect(reason?.kind).to.equal("error");
    const error = (reason as { error: unknown }).error as SubscriberError;
    expect(error).to.be.instanceOf(SubscriberError);
    expect(error.stream).to.equal("messages$");
    expect(error.peer?.id).to.equal(b.nodeId);
    expect(error.cause).to.be.instanceOf(SyntaxError);
    expect(await reported).to.equal(error);
    expect(logger.warn.calledOnce).to.equal(true);
    // the other peer is unaffected (this subscriber comes after the parsing one: it sees the message parsed)
    const fromC = firstValueFrom(hub.channel(CH).messages$.pipe(filter((e) => e.peer.id === c.nodeId)));
    c.broadcast(CH, text('{"ok":1}'));
    await within(fromC, 5000, "c's message");
    expect(parsed).to.deep.equal([{ ok: 1 }]);
    expect(hub.peers.has(c.nodeId)).to.equal(true);
  });

  it("messages$ piped through a throwing map, with no error handler: reported, only the peer of the message ends", async () => {
    const { hub, b, c, logger } = await hubWithTwo();
    const next = sinon.spy();
    hub
      .channel(CH)
      .messages$.pipe(map(({ message }) => JSON.parse(new TextDecoder().decode(message)) as unknown))
      .subscribe(next);
    const removed = nextPeerEvents(hub, "removed", 1);
    c.broadcast(CH, text("]"));
    const [event] = await removed;
    expect(event.peer.id).to.equal(c.nodeId);
    expect(next.called).to.equal(false);
    expect(logger.warn.calledOnce).to.equal(true);
    expect(hub.peers.has(b.nodeId)).to.equal(true);
  });

  it("peers$: a subscriber throwing on `added` ends that peer only; the switch keeps admitting", async () => {
    const logger = spyLogger();
    const hub = await start({ logger });
    const b = await start();
    let thrown = 0;
    hub.peers$.subscribe((e) => {
      if (e.type === "added" && e.peer.id === b.nodeId && thrown++ === 0) throw new Error("bad subscriber");
    });
    const removed = nextPeerEvents(hub, "removed", 1);
    await b.dial(hub.address!);
    const [event] = await removed;
    expect(event.type === "removed" && event.reason.kind === "error" && event.reason.error).to.be.instanceOf(SubscriberError);
    expect(logger.warn.calledOnce).to.equal(true);
    const c = await start();
    const added = nextPeerEvents(hub, "added", 1);
    await c.dial(hub.address!);
    expect((await added)[0].peer.id).to.equal(c.nodeId);
  });

  it("rejected$ and peer.ended$: a throwing subscriber is reported once; no other peer is touched", async () => {
    const { hub, b, c, logger } = await hubWithTwo({ maxInboundPeers: 2 });
    hub.rejected$.subscribe(() => {
      throw new Error("bad rejected$ subscriber");
    });
    const errors = firstValueFrom(hub.errors$.pipe(take(2), toArray()));
    const d = await start();
    await d.dial(hub.address!).catch(() => undefined); // refused: max-inbound
    const peerB = hub.peers.get(b.nodeId)!;
    peerB.ended$.subscribe(() => {
      throw new Error("bad ended$ subscriber");
    });
    await b.stop();
    const reports = await within(errors, 5000, "two reports");
    expect(reports.map((e) => (e instanceof SubscriberError ? e.stream : e.reason))).to.deep.equal(["rejected$", "ended$"]);
    expect(logger.warn.callCount).to.equal(2);
    expect(hub.peers.has(c.nodeId)).to.equal(true);
  });

  it("dropped$: a throwing subscriber ends that peer with SubscriberError", async () => {
    const { hub, b } = await hubWithTwo();
    const peerB = hub.peers.get(b.nodeId)!;
    peerB.dropped$.subscribe(() => {
      throw new Error("bad dropped$ subscriber");
    });
    const ended = firstValueFrom(peerB.ended$);
    peerB.send$.next({ channelId: 0x77, message: text("x") }); // unknown channel: dropped
    const reason = await ended;
    expect(reason.kind === "error" && reason.error).to.be.instanceOf(SubscriberError);
  });

  it("filterAddress that throws: the socket is refused before the handshake, FilterError with the cause on errors$ and rejected$", async () => {
    const logger = spyLogger();
    const cause = new Error("filter bug");
    const filterAddress = sinon.stub().throws(cause);
    const hub = await start({ logger, filterAddress });
    const b = await start();
    const reported = firstValueFrom(hub.errors$);
    const refused = firstValueFrom(hub.rejected$);
    const dialed = await b.dial(hub.address!).catch((e: unknown) => e);
    expect(dialed).to.be.instanceOf(Error);
    const error = await reported;
    expect((await refused).error, "rejected$ carries the same FilterError").to.equal(error);
    if (!(error instanceof FilterError)) throw new Error(`expected a FilterError, got ${String(error)}`);
    expect(error.filter).to.equal("filterAddress");
    expect(error.cause).to.equal(cause);
    expect(filterAddress.calledOnce).to.equal(true);
    expect(logger.warn.calledOnce).to.equal(true);
    expect(hub.peers.size).to.equal(0);
  });

  it("filterPeer that throws: refused with FilterError, and the socket is destroyed (the remote's peer ends)", async () => {
    const logger = spyLogger();
    const filterPeer = sinon.stub().throws(new Error("filter bug"));
    const hub = await start({ logger, filterPeer });
    const b = await start();
    const refused = firstValueFrom(hub.rejected$);
    const peer = await b.dial(hub.address!).catch(() => undefined);
    const { error } = await refused;
    expect(error).to.be.instanceOf(FilterError);
    if (peer !== undefined) expect((await within(firstValueFrom(peer.ended$), 5000, "the remote's end")).kind).to.not.equal("closed");
    expect(filterPeer.calledOnce).to.equal(true);
    expect(logger.warn.calledOnce).to.equal(true);
  });

  it("a codec whose decode throws ends the peer with DecodeError naming it", async () => {
    const codec = { encode: (m: unknown) => m as Uint8Array, decode: () => { throw new Error("bad bytes"); } };
    const hub = await start({}, { channels: [{ id: CH, codec }] });
    const b = await start();
    const removed = nextPeerEvents(hub, "removed", 1);
    await b.dial(hub.address!);
    b.broadcast(CH, text("x"));
    const [event] = await removed;
    const error = event.type === "removed" && event.reason.kind === "error" ? event.reason.error : undefined;
    expect(error).to.be.instanceOf(DecodeError);
    expect((error as DecodeError).peer.id).to.equal(b.nodeId);
  });

  it("reactor hooks: a throwing addPeer refuses the peer (no `added`, no `removed`), a throwing receive ends it with ReactorError", async () => {
    const addPeer = sinon.stub().onFirstCall().throws(new Error("addPeer bug"));
    const removePeer = sinon.spy();
    const receive = sinon.stub().throws(new Error("receive bug"));
    const hub = await start({}, { channels: [{ id: CH }], addPeer, removePeer, receive });
    const events: string[] = [];
    hub.peers$.subscribe((e) => events.push(e.type));
    const b = await start();
    const refused = firstValueFrom(hub.rejected$);
    await b.dial(hub.address!).catch(() => undefined);
    const { error } = await refused;
    expect(error).to.be.instanceOf(ReactorError);
    expect((error as ReactorError).hook).to.equal("addPeer");
    expect(events).to.deep.equal([]);
    expect(removePeer.called).to.equal(false);
    // the second time addPeer works; receive throws
    const c = await start();
    const removed = nextPeerEvents(hub, "removed", 1);
    await c.dial(hub.address!);
    c.broadcast(CH, text("x"));
    const [event] = await removed;
    const err = event.type === "removed" && event.reason.kind === "error" ? event.reason.error : undefined;
    expect(err).to.be.instanceOf(ReactorError);
    expect((err as ReactorError).hook).to.equal("receive");
    expect(events).to.deep.equal(["added", "removed"]);
    expect(removePeer.calledOnce).to.equal(true);
  });
});
