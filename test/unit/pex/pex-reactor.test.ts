import { expect } from "chai";
import sinon from "sinon";
import { VirtualTimeScheduler } from "rxjs";
import { pexCodec } from "../../../src/cometbft/codecs.js";
import type { MConnError } from "../../../src/errors.js";
import type { Message as PexMessage } from "../../../src/proto/tendermint/p2p/pex.js";
import { AddressBook } from "../../../src/pex/address-book.js";
import { BadPexAddrsError, EmptyPexMessageError, PexRequestTooSoonError, UnsolicitedAddrsError } from "../../../src/pex/errors.js";
import { PexReactor, type PexHost, type PexPeer } from "../../../src/pex/pex-reactor.js";

const id = (n: number) => n.toString(16).padStart(40, "0");

function fakePeer(n: number, outbound: boolean) {
  const sent: PexMessage[] = [];
  const peer: PexPeer = {
    id: id(n),
    isOutbound: outbound,
    isPersistent: false,
    nodeInfo: { listenAddr: `tcp://127.0.0.${n}:26656` },
    socketAddr: `127.0.0.${n}:40000`,
    trySend: (_ch, bytes) => {
      sent.push(pexCodec.decode(bytes));
      return true;
    },
  };
  return { peer, sent };
}

function fakeHost() {
  const stopped: [string, MConnError][] = [];
  const graceful: string[] = [];
  const host: PexHost = {
    nodeId: id(999),
    peers: new Map(),
    dial: () => Promise.reject(new Error("no dialing here")),
    stopPeerForError: (p, e) => void stopped.push([p.id, e]),
    stopPeerGracefully: (p) => {
      graceful.push(p.id);
      return Promise.resolve();
    },
  };
  return { host, stopped, graceful };
}

const request = (peer: PexPeer) => ({ peer, channelId: 0, message: { sum: { $case: "pexRequest", value: {} } } as PexMessage }) as never;
const addrs = (peer: PexPeer, list: { id: string; ip: string; port: number }[]) =>
  ({ peer, channelId: 0, message: { sum: { $case: "pexAddrs", value: { addrs: list } } } as PexMessage }) as never;

describe("PexReactor", () => {
  let clock: VirtualTimeScheduler;
  let book: AddressBook;
  beforeEach(() => {
    clock = new VirtualTimeScheduler();
    book = new AddressBook({ strict: false, scheduler: clock });
    for (let i = 10; i < 20; i++) book.add({ id: id(i), host: `127.0.1.${i}`, port: 26656 }, { id: id(1), host: "127.0.0.1", port: 1 });
  });
  const advance = (ms: number) => {
    clock.maxFrames = clock.now() + ms;
    clock.schedule(() => undefined, ms);
    clock.flush();
  };

  it("answers requests with a selection; a peer asking again sooner than period/3 (after two free requests) is ended with PexRequestTooSoonError", () => {
    const r = new PexReactor({ book, scheduler: clock, ensurePeersPeriod: 30_000 });
    const { host, stopped } = fakeHost();
    r.host = host;
    const { peer, sent } = fakePeer(2, false);
    r.receive(request(peer));
    r.receive(request(peer));
    expect(sent).to.have.length(2);
    expect(sent[0].sum!.$case).to.equal("pexAddrs");
    expect((sent[0].sum as { value: { addrs: unknown[] } }).value.addrs).to.have.length(10);
    advance(10_000);
    r.receive(request(peer));
    expect(stopped).to.have.length(0);
    advance(9_999);
    r.receive(request(peer));
    expect(stopped).to.have.length(1);
    expect(stopped[0][1]).to.be.instanceOf(PexRequestTooSoonError);
    expect(stopped[0][1].peer).to.deep.equal({ id: id(2), address: "127.0.0.2:40000" });
    expect(stopped[0][1].reason).to.equal("pex-request-too-soon");
    expect(sent).to.have.length(3);
  });

  it("refuses unsolicited PexAddrs with UnsolicitedAddrsError and takes an answer to its own request once", () => {
    const r = new PexReactor({ book, scheduler: clock });
    const { host, stopped } = fakeHost();
    r.host = host;
    const { peer, sent } = fakePeer(3, true);
    const discovered: string[] = [];
    r.discovered$.subscribe((d) => discovered.push(d.address.id));
    r.addPeer(peer);
    expect(sent.map((m) => m.sum!.$case)).to.deep.equal(["pexRequest"]);
    r.receive(addrs(peer, [{ id: id(50), ip: "127.0.5.1", port: 26656 }]));
    expect(discovered).to.deep.equal([id(50)]);
    expect(book.get(id(50))!.src.id).to.equal(id(3));
    r.receive(addrs(peer, [{ id: id(51), ip: "127.0.5.2", port: 26656 }]));
    expect(stopped.map(([, e]) => e.constructor)).to.deep.equal([UnsolicitedAddrsError]);
    expect(book.get(id(51))).to.equal(undefined);
  });

  it("a subscriber of discovered$ or answered$ that throws is logged; the answer is still taken", async () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
    const r = new PexReactor({ book, scheduler: clock, logger });
    const { host, stopped } = fakeHost();
    r.host = host;
    const { peer } = fakePeer(3, true);
    r.discovered$.subscribe(() => {
      throw new Error("discovered bug");
    });
    r.answered$.subscribe(() => {
      throw new Error("answered bug");
    });
    r.addPeer(peer);
    r.receive(addrs(peer, [{ id: id(50), ip: "127.0.5.1", port: 26656 }, { id: id(51), ip: "127.0.5.2", port: 26656 }]));
    await new Promise((done) => setTimeout(done, 0)); // RxJS would rethrow an unguarded throw on a timer
    expect(book.get(id(51))).to.not.equal(undefined);
    expect(stopped).to.have.length(0);
    expect(logger.error.getCalls().map((c) => (c.args[0] as { err: string }).err)).to.deep.equal(["Error: discovered bug", "Error: discovered bug", "Error: answered bug"]);
  });

  it("ends a peer whose answer has an address that does not parse, or more than 250", () => {
    const r = new PexReactor({ book, scheduler: clock });
    const { host, stopped } = fakeHost();
    r.host = host;
    const a = fakePeer(4, true);
    r.requestAddrs(a.peer);
    r.receive(addrs(a.peer, [{ id: "nothex", ip: "1.2.3.4", port: 1 }]));
    const b = fakePeer(5, true);
    r.requestAddrs(b.peer);
    r.receive(addrs(b.peer, Array.from({ length: 251 }, (_, i) => ({ id: id(1000 + i), ip: "1.2.3.4", port: 1 }))));
    const c = fakePeer(6, true);
    r.receive({ peer: c.peer, channelId: 0, message: { sum: undefined } } as never);
    expect(stopped.map(([p, e]) => [p, e.constructor])).to.deep.equal([
      [id(4), BadPexAddrsError],
      [id(5), BadPexAddrsError],
      [id(6), EmptyPexMessageError],
    ]);
  });

  it("adds an inbound peer's own address to the book", () => {
    const r = new PexReactor({ book, scheduler: clock });
    r.addPeer(fakePeer(7, false).peer);
    expect(book.get(id(7))!.addr).to.deep.equal({ id: id(7), host: "127.0.0.7", port: 26656 });
  });

  it("in seed mode answers an inbound peer once, then disconnects it after seedDisconnectDelay", () => {
    const r = new PexReactor({ book, scheduler: clock, seedMode: true, seedDisconnectDelay: 1000 });
    const { host, graceful } = fakeHost();
    r.host = host;
    const { peer, sent } = fakePeer(8, false);
    r.receive(request(peer));
    r.receive(request(peer));
    expect(sent).to.have.length(1);
    advance(999);
    expect(graceful).to.deep.equal([]);
    advance(1);
    expect(graceful).to.deep.equal([id(8)]);
  });
});

describe("PexReactor: placement by the connection's address", () => {
  const routable = (i: number) => `${11 + (i % 50)}.${i % 250}.7.1`;
  /** Identities all connected from 5.5.5.5, each claiming a listen address in its own /16. */
  const liar = (n: number, outbound: boolean): PexPeer => ({
    id: id(n),
    isOutbound: outbound,
    isPersistent: false,
    nodeInfo: { listenAddr: `tcp://${routable(n)}:26656` },
    socketAddr: `5.5.5.5:${40000 + n}`,
    trySend: () => true,
  });
  const newBuckets = (book: AddressBook) => new Set(book.entries().flatMap((ka) => ka.buckets));

  it("files inbound identities on one IP claiming 200 other /16s under that IP: at most the 32 new buckets of its group", () => {
    const book = new AddressBook({ scheduler: new VirtualTimeScheduler(), key: "00".repeat(12), hashKey: new Uint8Array(32).fill(3) });
    const r = new PexReactor({ book });
    for (let n = 1; n <= 200; n++) r.addPeer(liar(n, false));
    expect(book.size, "each claimed address is still kept").to.equal(200);
    expect(book.entries().every((ka) => ka.src.host === "5.5.5.5")).to.equal(true);
    expect(newBuckets(book).size).to.be.at.most(32);
  });

  it("files the answers of identities on one IP under that IP's group: 32 new buckets and maxAddressesPerSource in all, whatever /16s they claim", () => {
    const book = new AddressBook({ scheduler: new VirtualTimeScheduler(), maxAddressesPerSource: 500, key: "00".repeat(12), hashKey: new Uint8Array(32).fill(3) });
    const r = new PexReactor({ book });
    let next = 100_000;
    for (let n = 1; n <= 20; n++) {
      const peer = liar(n, true);
      r.addPeer(peer);
      const list = Array.from({ length: 100 }, () => ({ id: id(next), ip: routable(next++), port: 26656 }));
      r.receive(addrs(peer, list));
    }
    expect(book.size, "2,000 offered, one source group's 500 kept").to.equal(500);
    expect(newBuckets(book).size).to.be.at.most(32);
  });

  it("takes a peer's listen address as source when its socket address is no IP", () => {
    const book = new AddressBook({ strict: false, scheduler: new VirtualTimeScheduler() });
    new PexReactor({ book }).addPeer({ ...liar(1, false), socketAddr: "pipe:1" });
    expect(book.get(id(1))!.src.host).to.equal(routable(1));
  });
});
