import { expect } from "chai";
import { asyncScheduler, Observable, of, VirtualTimeScheduler } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import sinon from "sinon";
import { pexCodec } from "../../../src/cometbft/codecs.js";
import { seededRandom } from "../../../src/duplex/duplex-pair.js";
import type { NetAddress } from "../../../src/p2p/netaddress.js";
import { silentLogger } from "../../../src/logger.js";
import { AddressBook } from "../../../src/pex/address-book.js";
import { dialSeeds, ensurePeers, ensurePeersRound, type EnsurePeersOptions } from "../../../src/pex/ensure-peers.js";
import { isLoopback, parseIp } from "../../../src/pex/ip.js";
import { PexDialer } from "../../../src/pex/pex-dialer.js";
import { PexReactor, type PexHost, type PexPeer } from "../../../src/pex/pex-reactor.js";

const id = (n: number) => n.toString(16).padStart(40, "0");
const loopbackOnly = (a: NetAddress) => isLoopback(parseIp(a.host)!);

function peerAt(a: NetAddress, outbound: boolean): PexPeer & { sent: string[] } {
  const sent: string[] = [];
  return { id: a.id, isOutbound: outbound, isPersistent: false, nodeInfo: { listenAddr: `${a.host}:${a.port}` }, socketAddr: `${a.host}:${a.port}`, sent, trySend: (_c, b) => (sent.push(pexCodec.decode(b).sum!.$case), true) };
}

function setup(scheduler = new VirtualTimeScheduler(), filter?: (a: NetAddress) => boolean) {
  // fixed keys and random: the same buckets and picks every run
  const book = new AddressBook({ strict: false, scheduler, random: seededRandom(1), key: "00".repeat(12), hashKey: new Uint8Array(32) });
  const peers = new Map<string, PexPeer>();
  const dial = sinon.spy(async (a: NetAddress) => {
    const p = peerAt(a, true);
    peers.set(a.id, p);
    return Promise.resolve(p);
  });
  const host: PexHost = { nodeId: id(999), peers, dial, stopPeerForError: () => undefined, stopPeerGracefully: () => Promise.resolve() };
  const reactor = new PexReactor({ book, scheduler });
  reactor.host = host;
  const random = () => 0.5;
  const dialer = new PexDialer({ book, host, scheduler, random, ...(filter ? { filter } : {}) });
  return { book, peers, dial, host, reactor, dialer, scheduler, random };
}

const src = { id: id(1), host: "127.0.0.1", port: 1 };

describe("ensurePeers", () => {
  it("runs a round at once with no peers, then every period; a seed's answer adds a round (marbles)", () => {
    const ts = new TestScheduler((a, b) => void expect(a).to.deep.equal(b));
    ts.run(({ expectObservable, cold }) => {
      const s = setup(new VirtualTimeScheduler());
      const seed = { id: id(77), host: "127.0.0.77", port: 26656 };
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, seeds: [seed], maxOutbound: 10, period: 30_000 };
      const seedPeer = peerAt(seed, true);
      cold("12s a").subscribe(() => {
        s.reactor.requestAddrs(seedPeer);
        s.reactor.receive({ peer: seedPeer, channelId: 0, message: { sum: { $case: "pexAddrs", value: { addrs: [] } } } } as never);
      });
      const rounds$ = new Observable<string>((sub) => ensurePeers(o, (reason) => {
        sub.next(reason === "period" ? "t" : "s");
        return undefined;
      }));
      expectObservable(rounds$, "^ 70s !").toBe("t 11999ms s 17999ms t 29999ms t");
    });
  });

  it("an answer bringing new addresses starts a round while short of outbound peers; an empty one or a full set does not (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable, cold }) => {
      const s = setup(new VirtualTimeScheduler());
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, seeds: [], maxOutbound: 1, period: 30_000 };
      const p = peerAt({ id: id(40), host: "127.0.0.40", port: 1 }, true);
      const answer = (n: number) => {
        s.reactor.requestAddrs(p);
        const addrs = Array.from({ length: n }, (_, i) => ({ id: id(500 + i + 10 * s.book.size), ip: `127.0.5.${i + 1}`, port: 26656 }));
        s.reactor.receive({ peer: p, channelId: 0, message: { sum: { $case: "pexAddrs", value: { addrs } } } } as never);
      };
      cold("5s a 999ms b").subscribe((k) => answer(k === "a" ? 2 : 0));
      cold("8s c").subscribe(() => {
        s.peers.set(p.id, p); // now at maxOutbound: answers no longer start rounds
        answer(2);
      });
      const rounds$ = new Observable<string>((sub) => ensurePeers(o, (reason) => {
        sub.next(reason === "period" ? "t" : "s");
        return undefined;
      }));
      expectObservable(rounds$, "^ 20s !").toBe("t 4999ms s");
    });
  });

  it("with dialOnNewAddresses false, as CometBFT, an answer bringing new addresses waits for the period; a seed's still starts a round (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable, cold }) => {
      const s = setup(new VirtualTimeScheduler());
      const seed = { id: id(77), host: "127.0.0.77", port: 26656 };
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, seeds: [seed], maxOutbound: 10, period: 30_000, dialOnNewAddresses: false };
      const answer = (from: PexPeer, n: number) => {
        s.reactor.requestAddrs(from);
        const addrs = Array.from({ length: n }, (_, i) => ({ id: id(600 + i + 10 * s.book.size), ip: `127.0.6.${i + 1}`, port: 26656 }));
        s.reactor.receive({ peer: from, channelId: 0, message: { sum: { $case: "pexAddrs", value: { addrs } } } } as never);
      };
      cold("5s a").subscribe(() => answer(peerAt({ id: id(40), host: "127.0.0.40", port: 1 }, true), 2));
      cold("12s a").subscribe(() => answer(peerAt(seed, true), 2));
      const rounds$ = new Observable<string>((sub) => ensurePeers(o, (reason) => {
        sub.next(reason === "period" ? "t" : "s");
        return undefined;
      }));
      expectObservable(rounds$, "^ 40s !").toBe("t 11999ms s 17999ms t");
    });
  });

  it("a round that throws is logged and the schedule goes on: the next period's round still runs (marbles)", () => {
    const logged: string[] = [];
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const s = setup(new VirtualTimeScheduler());
      const logger = { ...silentLogger, error: (_: unknown, msg?: string) => void logged.push(String(msg)) };
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, seeds: [], maxOutbound: 10, period: 30_000, logger };
      let n = 0;
      const rounds$ = new Observable<string>((sub) => ensurePeers(o, () => {
        sub.next(`${n}`);
        if (n++ === 0) throw new Error("a round's bug");
        return undefined;
      }));
      expectObservable(rounds$, "^ 40s !").toBe("0 29999ms 1");
    });
    expect(logged).to.deep.equal(["an ensurePeers round failed"]);
  });

  it("waits a random part of a period for the first round when it already has peers (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const s = setup(new VirtualTimeScheduler());
      s.peers.set(id(5), peerAt({ id: id(5), host: "127.0.0.5", port: 1 }, false));
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, random: () => 0.25, seeds: [], maxOutbound: 10, period: 30_000 };
      const rounds$ = new Observable<string>((sub) => ensurePeers(o, (reason) => {
        sub.next(reason === "period" ? "t" : "s");
        return undefined;
      }));
      expectObservable(rounds$, "^ 40s !").toBe("7500ms t 29999ms t");
    });
  });

  /** Rounds as letters (p period, a answer, r retry); each round's result from `result(k)` for the k-th round. */
  const retrySchedule = (o: EnsurePeersOptions, result: (k: number) => { dialed: number; connected: number } | undefined) =>
    new Observable<string>((sub) => {
      let k = 0;
      return ensurePeers(o, (reason) => {
        sub.next(reason[0]);
        const r = result(k++);
        return r === undefined ? undefined : of(r);
      });
    });

  it("a round that connects nothing while short of outbound peers brings a retry before the period: 4 s, 8 s, 16 s after, then the period's round, and again (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const s = setup(new VirtualTimeScheduler());
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, random: () => 0, seeds: [], maxOutbound: 10, period: 30_000, retryDelay: 4000 };
      // 0 + 4 = 4, + 8 = 12, + 16 = 28; the next, 32 s (capped at 30), would come after the period's round;
      // each period's round starts the back-off afresh: 34, 42, 58, then 64
      expectObservable(retrySchedule(o, () => ({ dialed: 3, connected: 0 })), "^ 70s !").toBe("p 3999ms r 7999ms r 15999ms r 1999ms p 3999ms r 7999ms r 15999ms r 1999ms p 3999ms r");
    });
  });

  it("the retry delay is jittered by up to half again with the node's random source, and never lands after the period's round (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const s = setup(new VirtualTimeScheduler());
      const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, random: () => 0.5, seeds: [], maxOutbound: 10, period: 30_000, retryDelay: 4000 };
      // 5 s, then 10 s; 20 s from 15 s would pass the round at 30 s, so it waits; from 30 s, afresh: 35, 45, and 65
      expectObservable(retrySchedule(o, () => ({ dialed: 0, connected: 0 })), "^ 70s !").toBe("p 4999ms r 9999ms r 14999ms p 4999ms r 9999ms r 14999ms p 4999ms r");
    });
  });

  it("a round that connects starts the retries afresh; no retry at the outbound target, nor for a round that reports nothing (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const options = (s: ReturnType<typeof setup>): EnsurePeersOptions => ({ ...s, scheduler: asyncScheduler, random: () => 0, seeds: [], maxOutbound: 1, period: 30_000, retryDelay: 4000 });
      // rounds 0–1 fail; round 2 (at 12 s) connects one, but what stays is an inbound peer: still short, 4 s again; then 8 s; 16 s would pass the period's round
      const s = setup(new VirtualTimeScheduler());
      const stays = peerAt({ id: id(42), host: "127.0.0.42", port: 1 }, false);
      const result = (k: number) => {
        if (k === 2) s.peers.set(stays.id, stays);
        return { dialed: 1, connected: k === 2 ? 1 : 0 };
      };
      expectObservable(retrySchedule(options(s), result), "^ 40s !").toBe("p 3999ms r 7999ms r 3999ms r 7999ms r 5999ms p 3999ms r");
      // a round that connected one which is gone already (a peer full that lets us go at once) retries as one that failed
      expectObservable(retrySchedule(options(setup(new VirtualTimeScheduler())), () => ({ dialed: 1, connected: 1 })), "^ 20s !").toBe("p 3999ms r 7999ms r");
      const full = setup(new VirtualTimeScheduler());
      full.peers.set(id(41), peerAt({ id: id(41), host: "127.0.0.41", port: 1 }, true));
      expectObservable(retrySchedule(options(full), () => ({ dialed: 0, connected: 0 })), "^ 40s !").toBe("p 29999ms p");
      expectObservable(retrySchedule(options(setup(new VirtualTimeScheduler())), () => undefined), "^ 40s !").toBe("p 29999ms p");
    });
  });

  it("a round that connects fewer than wanted brings a retry too, 4 s after each one that connects; the back-off doubles from the last that did (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const options = (s: ReturnType<typeof setup>): EnsurePeersOptions => ({ ...s, scheduler: asyncScheduler, random: () => 0, seeds: [], maxOutbound: 10, period: 30_000, retryDelay: 4000 });
      const withPeer = () => {
        const s = setup(new VirtualTimeScheduler());
        s.peers.set(id(42), peerAt({ id: id(42), host: "127.0.0.42", port: 1 }, true));
        return s;
      };
      // each round connects 2 and we stay short (their peers leave again): 4 s each time; 28 + 4 would pass the period's round
      expectObservable(retrySchedule(options(withPeer()), () => ({ dialed: 3, connected: 2 })), "^ 40s !").toBe("p 3999ms r 3999ms r 3999ms r 3999ms r 3999ms r 3999ms r 3999ms r 1999ms p 3999ms r 3999ms r");
      // one that connects, then rounds that connect nothing: 4 s, then 8 s and 16 s; 4 s after the period's round
      expectObservable(retrySchedule(options(withPeer()), (k) => ({ dialed: 1, connected: k === 0 ? 1 : 0 })), "^ 40s !").toBe("p 3999ms r 7999ms r 15999ms r 1999ms p 3999ms r");
    });
  });

  it("an outbound peer that leaves while short brings a round 4 s later; an inbound peer or a seed leaving does not, nor one at the target (marbles)", () => {
    new TestScheduler((a, b) => void expect(a).to.deep.equal(b)).run(({ expectObservable }) => {
      const seed = { id: id(77), host: "127.0.0.77", port: 1 };
      const leaving = (maxOutbound: number, who: PexPeer[], at: number, stay: PexPeer[] = []) => {
        const s = setup(new VirtualTimeScheduler());
        for (const p of [peerAt({ id: id(42), host: "127.0.0.42", port: 1 }, true), ...stay, ...who]) s.peers.set(p.id, p);
        const o: EnsurePeersOptions = { ...s, scheduler: asyncScheduler, random: () => 0, seeds: [seed], maxOutbound, period: 30_000, retryDelay: 4000 };
        return new Observable<string>((sub) => {
          const loop = ensurePeers(o, (reason) => {
            sub.next(reason[0]);
            return undefined;
          });
          loop.add(
            asyncScheduler.schedule(() => {
              for (const p of who) {
                s.peers.delete(p.id);
                s.reactor.removePeer(p);
              }
            }, at),
          );
          return loop;
        });
      };
      const out = peerAt({ id: id(43), host: "127.0.0.43", port: 1 }, true);
      expectObservable(leaving(10, [out], 10_000), "^ 40s !").toBe("p 13999ms l 15999ms p");
      // 28 s + 4 s would pass the period's round
      expectObservable(leaving(10, [out], 28_000), "^ 40s !").toBe("p 29999ms p");
      expectObservable(leaving(10, [peerAt({ id: id(44), host: "127.0.0.44", port: 1 }, false)], 10_000), "^ 40s !").toBe("p 29999ms p");
      expectObservable(leaving(10, [peerAt(seed, true)], 10_000), "^ 40s !").toBe("p 29999ms p");
      // three leave at once: one round
      const three = [43, 45, 46].map((n) => peerAt({ id: id(n), host: `127.0.0.${n}`, port: 1 }, true));
      expectObservable(leaving(10, three, 10_000), "^ 40s !").toBe("p 13999ms l 15999ms p");
      // with 3 outbound wanted, the one that stays and two more: one leaving leaves us short, so a round
      expectObservable(leaving(3, three.slice(0, 2), 10_000), "^ 40s !").toBe("p 13999ms l 15999ms p");
      // at the target after the leave (2 wanted, 3 had): nothing
      expectObservable(leaving(2, three.slice(0, 1), 10_000, three.slice(1, 2)), "^ 40s !").toBe("p 29999ms p");
    });
  });

  it("a round resolves with the dials it made (seeds included) and how many of the book's addresses connected", async () => {
    const s = setup();
    for (let i = 10; i < 14; i++) s.book.add({ id: id(i), host: `127.0.1.${i}`, port: 26656 }, src);
    s.host.dial = sinon.spy((a: NetAddress) => (a.id === id(10) ? Promise.resolve(peerAt(a, true)) : Promise.reject(new Error("refused"))));
    expect(await ensurePeersRound({ ...s, seeds: [], maxOutbound: 10 }, true)).to.deep.equal({ dialed: 4, connected: 1 });
    const empty = setup();
    const seeds = [1, 2].map((n) => ({ id: id(100 + n), host: `127.0.2.${n}`, port: 26656 }));
    empty.host.dial = sinon.spy(() => Promise.reject(new Error("busy seed")));
    expect(await ensurePeersRound({ ...empty, seeds, maxOutbound: 10 }, true), "every seed tried, none connected").to.deep.equal({ dialed: 2, connected: 0 });
    expect(await ensurePeersRound({ ...empty, seeds, maxOutbound: 10 }, true), "the seeds are dialed again at once: no backoff for seeds").to.deep.equal({ dialed: 2, connected: 0 });
    const seeded = setup();
    expect(await ensurePeersRound({ ...seeded, seeds, maxOutbound: 10 }, true), "a seed reached is not a peer kept").to.deep.equal({ dialed: 1, connected: 0 });
    expect(seeded.peers.size).to.equal(1);
  });

  it("dials up to maxOutbound addresses from the book, and asks an outbound peer for more", async () => {
    const s = setup();
    for (let i = 10; i < 40; i++) s.book.add({ id: id(i), host: `127.0.1.${i}`, port: 26656 }, src);
    const out = peerAt({ id: id(6), host: "127.0.0.6", port: 1 }, true);
    s.peers.set(out.id, out);
    void ensurePeersRound({ ...s, seeds: [], maxOutbound: 4 }, true);
    await Promise.resolve();
    expect(s.dial.callCount, "maxOutbound − 1 outbound").to.equal(3);
    expect(new Set(s.dial.getCalls().map((c) => c.args[0].id)).size).to.equal(s.dial.callCount);
    expect(out.sent).to.deep.equal(["pexRequest"]);
  });

  it("never dials an address the filter refuses: a non-loopback address in the book is not dialed", async () => {
    const s = setup(new VirtualTimeScheduler(), loopbackOnly);
    s.book.add({ id: id(20), host: "8.8.8.8", port: 26656 }, src);
    s.book.add({ id: id(21), host: "2001:4860::8888", port: 26656 }, src);
    for (let round = 0; round < 20; round++) void ensurePeersRound({ ...s, seeds: [{ id: id(22), host: "1.1.1.1", port: 26656 }], maxOutbound: 10 }, true);
    await new Promise((r) => setImmediate(r));
    sinon.assert.notCalled(s.dial);
  });

  it("falls back to the seeds when the book is empty, and stops at the first that connects", async () => {
    const s = setup();
    const seeds = [1, 2, 3].map((n) => ({ id: id(100 + n), host: `127.0.2.${n}`, port: 26656 }));
    void ensurePeersRound({ ...s, seeds, maxOutbound: 10 }, true);
    await new Promise((r) => setImmediate(r));
    sinon.assert.calledOnce(s.dial);
    expect(seeds.map((x) => x.id)).to.include(s.dial.firstCall.args[0].id);
  });

  it("backs off per address: 2^attempts s plus jitter after a failure, and marks the attempt in the book", async () => {
    const s = setup();
    const a = { id: id(30), host: "127.0.3.1", port: 26656 };
    s.book.add(a, src);
    s.host.dial = sinon.spy(() => Promise.reject(new Error("refused")));
    expect(await s.dialer.dial(a)).to.equal("failed");
    expect(s.book.get(a.id)!.attempts).to.equal(1);
    expect(await s.dialer.dial(a)).to.equal("backoff");
    s.scheduler.schedule(() => undefined, 2501);
    s.scheduler.flush();
    expect(await s.dialer.dial(a)).to.equal("failed");
    expect(s.dialer.attemptsOf(a)).to.equal(2);
  });

  it("dials the seeds straight through, as CometBFT does: a seed that refused us 20 times is dialed again at the next round", async () => {
    const s = setup();
    const seeds = [1, 2].map((n) => ({ id: id(110 + n), host: `127.0.2.${n}`, port: 26656 }));
    s.host.dial = sinon.spy(() => Promise.reject(new Error("refused")));
    for (let round = 0; round < 20; round++) expect(await dialSeeds({ ...s, seeds })).to.deep.equal(["failed", "failed"]);
    expect((s.host.dial as sinon.SinonSpy).callCount).to.equal(40);
    expect(seeds.map((x) => s.dialer.attemptsOf(x))).to.deep.equal([0, 0]);
    // an address from the book is not: it backs off after its failure
    const a = { id: id(31), host: "127.0.3.2", port: 26656 };
    s.book.add(a, src);
    expect([await s.dialer.dial(a), await s.dialer.dial(a)]).to.deep.equal(["failed", "backoff"]);
  });
});

describe("Pex's options and the Switch's discovery option", () => {
  it("Pex names every broken rule in one ConfigError: a bad seed, a non-positive period", async () => {
    const { Pex } = await import("../../../src/pex/pex-service.js");
    const { ConfigError } = await import("../../../src/error-base.js");
    expect(() => new Pex({ ensurePeersPeriod: 0, ensurePeersRetryDelay: -1, seeds: ["nope"] }))
      .to.throw(ConfigError, /ensurePeersPeriod must be a positive.*ensurePeersRetryDelay must be a positive.*seeds\[0\]/);
    expect(() => new Pex({ maxGroupShare: 0, groupAllowance: 1.5 })).to.throw(ConfigError, /groupAllowance must be a positive integer.*maxGroupShare must be a percentage/);
    expect(() => new Pex({ maxGroupShare: 101 })).to.throw(ConfigError, /maxGroupShare/);
    expect(() => new Pex({ dialOnNewAddresses: "no" as never })).to.throw(ConfigError, /dialOnNewAddresses must be true or false, got no/);
    expect(new Pex().options.dialOnNewAddresses).to.equal(true);
    const pex = new Pex({ seeds: [`${id(2)}@127.0.0.1:1`] });
    expect(pex.options.seeds).to.deep.equal([{ id: id(2), host: "127.0.0.1", port: 1 }]);
    expect(pex.options.strict).to.equal(true);
    expect(pex.name).to.equal("pex");
  });

  it("the Switch takes any object with a name, a reactor, start() and stop(), and refuses anything else", async () => {
    const { verifySwitchOptions } = await import("../../../src/p2p/switch-options.js");
    const { Pex } = await import("../../../src/pex/pex-service.js");
    const base = { nodeId: id(1), authenticate: () => Promise.reject(new Error("unused")), network: "n" };
    expect(() => verifySwitchOptions({ ...base, discovery: {} as never })).to.throw(/discovery must be an object with a name, a reactor/);
    const pex = new Pex();
    expect(verifySwitchOptions({ ...base, discovery: pex }).discovery).to.equal(pex);
  });

  it("a Pex serves one Switch: a second start throws", async () => {
    const { Pex } = await import("../../../src/pex/pex-service.js");
    const { ConfigError } = await import("../../../src/error-base.js");
    const pex = new Pex({ scheduler: new VirtualTimeScheduler() });
    const host = { nodeId: id(1), address: undefined, peers: new Map(), maxOutboundPeers: 10, persistentPeers: [], dial: () => Promise.reject(new Error("no")), stopPeerForError: () => undefined, stopPeerGracefully: () => Promise.resolve() };
    pex.start(host);
    expect(() => pex.start(host)).to.throw(ConfigError, /one Switch/);
    pex.stop();
  });

  it("starts its book with the Switch's persistent peers, heard from us, as CometBFT's Switch does; one the book refuses is left out", async () => {
    const { Pex } = await import("../../../src/pex/pex-service.js");
    const pex = new Pex({ scheduler: new VirtualTimeScheduler(), random: seededRandom(2) });
    const far = { id: id(2), host: "11.0.0.2", port: 26656 };
    const local = { id: id(3), host: "127.0.0.3", port: 26656 }; // not routable: a strict book refuses it
    const host = { nodeId: id(1), address: `${id(1)}@11.0.0.1:26656`, peers: new Map(), maxOutboundPeers: 10, persistentPeers: [far, local], dial: () => Promise.reject(new Error("no")), stopPeerForError: () => undefined, stopPeerGracefully: () => Promise.resolve() };
    expect(pex.book.size).to.equal(0);
    pex.start(host);
    expect(pex.book.get(far.id)?.addr).to.deep.equal(far);
    expect(pex.book.get(far.id)?.src).to.deep.equal({ id: id(1), host: "11.0.0.1", port: 26656 });
    expect(pex.book.get(local.id)).to.equal(undefined);
    expect(pex.book.size).to.equal(1);
    pex.stop();
  });
});
