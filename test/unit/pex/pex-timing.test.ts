/**
 * The time-driven rules of PEX, as marbles on the PEX module's own API: the request limit and a
 * seed's disconnect (PexReactor), and a seed's crawl (seedCrawl). ensurePeers' rounds are in
 * ensure-peers.test.ts.
 */
import { ReplaySubject, Subject } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { pexCodec } from "../../../src/cometbft/codecs.js";
import type { NetAddress } from "../../../src/p2p/netaddress.js";
import type { Message as PexMessage } from "../../../src/proto/tendermint/p2p/pex.js";
import { AddressBook } from "../../../src/pex/address-book.js";
import type { DialOutcome } from "../../../src/pex/pex-dialer.js";
import { PexReactor, type PexHost, type PexPeer } from "../../../src/pex/pex-reactor.js";
import { seedCrawl } from "../../../src/pex/seed-crawl.js";
import { testScheduler } from "../../helpers/marbles.js";

const id = (n: number) => n.toString(16).padStart(40, "0");

/** A peer whose answers show on `events` as `a`. */
function peer(n: number, events: Subject<string>, o: { outbound?: boolean; persistent?: boolean } = {}): PexPeer {
  return {
    id: id(n),
    isOutbound: o.outbound ?? false,
    isPersistent: o.persistent ?? false,
    nodeInfo: { listenAddr: `127.0.0.${n}:26656` },
    socketAddr: `127.0.0.${n}:40000`,
    trySend: (_ch, bytes) => {
      if (pexCodec.decode(bytes).sum?.$case === "pexAddrs") events.next("a");
      return true;
    },
  };
}

/** A host whose ends of peers show on `events`: the error's reason, or `g` for a graceful stop (which removes the peer). */
function host(events: Subject<string>, peers = new Map<string, PexPeer>()): PexHost {
  return {
    nodeId: id(999),
    peers,
    dial: () => Promise.reject(new Error("not here")),
    stopPeerForError: (_p, e) => events.next(e.reason),
    stopPeerGracefully: (p) => {
      peers.delete(p.id);
      events.next(`g${p.id.slice(-1)}`);
      return Promise.resolve();
    },
  };
}

const request = (from: PexPeer) => ({ peer: from, channelId: 0, message: { sum: { $case: "pexRequest", value: {} } } as PexMessage }) as never;

function bookOn(ts: TestScheduler, addresses = 0): AddressBook {
  const book = new AddressBook({ strict: false, scheduler: ts });
  for (let i = 0; i < addresses; i++) book.add({ id: id(100 + i), host: `127.0.1.${i + 1}`, port: 26656 }, { id: id(1), host: "127.0.0.1", port: 1 });
  return book;
}

describe("PEX timing (marbles)", () => {
  /** A reactor for `ensurePeersPeriod`, a peer asking at the frames of `requests`, and what followed (`a` answer, `x` too soon). */
  const limit = (ensurePeersPeriod: number, requests: string, expected: string) => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const events = new ReplaySubject<string>();
      const r = new PexReactor({ book: bookOn(ts, 5), scheduler: ts, ensurePeersPeriod });
      r.host = host(events);
      const p = peer(2, events);
      cold(requests).subscribe(() => r.receive(request(p)));
      expectObservable(events, "^ 60s !").toBe(expected, { a: "a", x: "pex-request-too-soon" });
    });
  };

  it("a peer may ask twice at once, then once per ensurePeersPeriod/3: a request 9 999 ms after the last answered one ends it", () => {
    // requests at 0 and 10 (the two free ones), at 10 010 (10 s later: allowed), at 20 009 (9 999 ms later: too soon)
    limit(30_000, "a 9ms b 9999ms c 9998ms d", "a 9ms a 9999ms a 9998ms x");
  });

  it("the limit follows ensurePeersPeriod: with a period of 3 s, one request a second is allowed", () => {
    // 0 and 1 free; 1001 is a second after 1: allowed; 2000 is 999 ms after 1001: too soon
    limit(3000, "a b 999ms c 998ms d", "a a 999ms a 998ms x");
  });

  it("a seed answers an inbound peer's first request only, and disconnects it seedDisconnectDelay later", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const events = new ReplaySubject<string>();
      const r = new PexReactor({ book: bookOn(ts, 5), scheduler: ts, seedMode: true, seedDisconnectDelay: 1000 });
      r.host = host(events);
      const p = peer(8, events);
      cold("5ms a 99ms b").subscribe(() => r.receive(request(p)));
      expectObservable(events, "^ 10s !").toBe("5ms a 999ms g", { a: "a", g: "g8" });
    });
  });

  it("a seed's pending disconnects are cancelled by stop()", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const events = new ReplaySubject<string>();
      const r = new PexReactor({ book: bookOn(ts, 5), scheduler: ts, seedMode: true, seedDisconnectDelay: 1000 });
      r.host = host(events);
      cold("a").subscribe(() => r.receive(request(peer(8, events))));
      cold("500ms s").subscribe(() => r.stop());
      expectObservable(events, "^ 10s !").toBe("a");
    });
  });

  it("a seed's crawl disconnects, every crawlPeriod, the non-persistent peers connected seedDisconnectWaitPeriod or longer", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const events = new ReplaySubject<string>();
      const peers = new Map<string, PexPeer>();
      const connectedAt = new Map<string, number>();
      const connect = (p: PexPeer) => {
        peers.set(p.id, p);
        connectedAt.set(p.id, ts.now());
      };
      connect(peer(1, events));
      connect(peer(3, events, { persistent: true }));
      cold("20s x").subscribe(() => connect(peer(2, events)));
      const reactor = new PexReactor({ book: bookOn(ts), scheduler: ts });
      const dialer = { dial: () => Promise.resolve<DialOutcome>("failed") };
      const crawl = seedCrawl({ reactor, host: host(events, peers), dialer, seeds: [], crawlPeriod: 30_000, seedDisconnectWaitPeriod: 30_000, connectedAt, scheduler: ts, random: () => 0 });
      cold("100s x").subscribe(() => crawl.unsubscribe());
      // peer 1 (connected at 0) at the crawl of 30 s; peer 2 (at 20 s) at 60 s, not at 30 s; peer 3 (persistent) never
      expectObservable(events, "^ 100s !").toBe("30s a 29999ms b", { a: "g1", b: "g2" });
    });
  });

  it("a seed's crawl dials each address of the book at most once per minTimeBetweenCrawls (2 min), at the crawls every 30 s", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const dials = new ReplaySubject<string>();
      const reactor = new PexReactor({ book: bookOn(ts, 1), scheduler: ts });
      const dialer = {
        dial: (a: NetAddress) => {
          dials.next(a.id === id(100) ? "x" : "?");
          return Promise.resolve<DialOutcome>("failed");
        },
      };
      const crawl = seedCrawl({ reactor, host: host(new Subject()), dialer, seeds: [], connectedAt: new Map(), scheduler: ts, random: () => 0 });
      cold("250s x").subscribe(() => crawl.unsubscribe());
      // at start (0), then at the crawls of 120 s and 240 s; not at 30, 60, 90, 150, … s
      expectObservable(dials, "^ 300s !").toBe("x 119999ms x 119999ms x");
    });
  });
});
