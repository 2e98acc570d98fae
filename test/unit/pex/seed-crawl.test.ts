import { expect } from "chai";
import { VirtualTimeScheduler } from "rxjs";
import type { NetAddress } from "../../../src/p2p/netaddress.js";
import { AddressBook } from "../../../src/pex/address-book.js";
import type { PexDialer } from "../../../src/pex/pex-dialer.js";
import { PexReactor, type PexHost, type PexPeer } from "../../../src/pex/pex-reactor.js";
import { seedCrawl } from "../../../src/pex/seed-crawl.js";

const id = (n: number) => n.toString(16).padStart(40, "0");

describe("seedCrawl", () => {
  it("dials one ip:port at most once per 2 minutes, however many IDs the book holds at it (60 identities claiming a third party's address)", () => {
    const scheduler = new VirtualTimeScheduler();
    // the per-group bound off: the book holds all 60 identities at one address
    const book = new AddressBook({ scheduler, maxAddressesPerSource: 10_000, maxGroupShare: 100 });
    // 60 identities at the third party's 9.9.9.9:26656, and 60 honest nodes, from 60 sources in different networks.
    for (let n = 1; n <= 60; n++) book.add({ id: id(n), host: "9.9.9.9", port: 26656 }, { id: id(5000 + n), host: `${20 + n}.1.1.1`, port: 26656 });
    for (let n = 61; n <= 120; n++) book.add({ id: id(n), host: `${n}.2.2.${n}`, port: 26656 }, { id: id(5000 + n), host: `${20 + n}.1.1.1`, port: 26656 });
    const dialed: string[] = [];
    const dialer = { dial: (a: NetAddress) => (dialed.push(`${a.host}:${a.port}`), Promise.resolve("failed")) } as unknown as PexDialer;
    const host: PexHost = { nodeId: id(999), peers: new Map<string, PexPeer>(), dial: () => Promise.reject(new Error("not here")), stopPeerForError: () => undefined, stopPeerGracefully: () => Promise.resolve() };
    const reactor = new PexReactor({ book, scheduler });
    const crawl = seedCrawl({ reactor, host, dialer, seeds: [], connectedAt: new Map(), scheduler, random: () => 0.5 });
    const runFor = (ms: number) => {
      scheduler.maxFrames = scheduler.now() + ms;
      scheduler.flush();
    };
    runFor(70_000);
    const thirdParty = () => dialed.filter((d) => d === "9.9.9.9:26656").length;
    expect(thirdParty(), "in the first 70 s").to.equal(1);
    expect(new Set(dialed.filter((d) => d !== "9.9.9.9:26656")).size, "the honest addresses are dialed").to.be.greaterThan(20);
    runFor(60_000);
    expect(thirdParty(), "again after 2 minutes").to.equal(2);
    crawl.unsubscribe();
  });
});
