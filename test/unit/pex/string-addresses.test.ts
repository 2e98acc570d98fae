/**
 * Every public function that takes an address or an IP takes its text form too, with the same
 * result as the parsed form; text that does not parse is a NetAddressError.
 */
import { createServer, type AddressInfo } from "node:net";
import { expect } from "chai";
import { VirtualTimeScheduler } from "rxjs";
import sinon from "sinon";
import { NetAddressError } from "../../../src/errors.js";
import { parseNetAddress, type NetAddress } from "../../../src/p2p/netaddress.js";
import { AddressBook } from "../../../src/pex/address-book.js";
import { bookAddress, sourceAddress } from "../../../src/pex/book-address.js";
import { crawl } from "../../../src/pex/crawler.js";
import { dialSeeds } from "../../../src/pex/ensure-peers.js";
import { formatIp, groupKey, isLocal, isLoopback, isRoutable, parseIp } from "../../../src/pex/ip.js";
import { toProtoAddress } from "../../../src/pex/pex-addresses.js";
import { PexDialer } from "../../../src/pex/pex-dialer.js";
import type { PexHost } from "../../../src/pex/pex-reactor.js";

const id = (n: number) => n.toString(16).padStart(40, "0");
const BAD_IPS = ["localhost", "127.0.0.1:80", "", "999.1.1.1", "1.2.3", "::g", " 127.0.0.1"];
const BAD_ADDRESSES = ["127.0.0.1:26656", `${id(1)}@127.0.0.1`, `${id(1)}@::1:26656`, `nothex@127.0.0.1:1`, `${id(1)}@127.0.0.1:70000`];

function expectBadAddress(f: () => unknown, input: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, input).to.be.instanceOf(NetAddressError);
  expect((thrown as NetAddressError).reason).to.equal("bad-address");
  expect((thrown as NetAddressError).input).to.equal(input);
}

describe("addresses and IPs given as text", () => {
  it("isLocal, isLoopback, isRoutable, groupKey and formatIp give for an IP's text what they give for its bytes", () => {
    const ips = ["127.0.0.1", "127.255.0.9", "::1", "0.0.0.1", "10.1.2.3", "192.168.1.1", "8.8.8.8", "::ffff:8.8.4.4", "2001:470:1:2::3", "2002:c000:0204::1", "fe80::1", "fd87:d87e:eb43::1"];
    for (const text of ips) {
      const bytes = parseIp(text)!;
      expect([isLocal(text), isLoopback(text), isRoutable(text), groupKey(text, true), groupKey(text, false), formatIp(text)], text).to.deep.equal([
        isLocal(bytes),
        isLoopback(bytes),
        isRoutable(bytes),
        groupKey(bytes, true),
        groupKey(bytes, false),
        formatIp(bytes),
      ]);
    }
    expect([isLoopback("127.0.0.1"), isLoopback("::1"), isLoopback("10.0.0.1")]).to.deep.equal([true, true, false]);
    expect(formatIp("::ffff:10.0.0.1")).to.equal("10.0.0.1");
  });

  it("text that is not an IP literal is a NetAddressError naming it, from each of them", () => {
    for (const text of BAD_IPS) {
      for (const f of [isLocal, isLoopback, isRoutable, formatIp, (t: string) => groupKey(t, false)]) expectBadAddress(() => f(text), text);
    }
  });

  it("bookAddress, sourceAddress and toProtoAddress take ID@host:port; bad text is a NetAddressError", () => {
    const text = `${id(7).toUpperCase()}@[::ffff:10.0.0.1]:26656`;
    expect(bookAddress(text)).to.deep.equal(bookAddress(parseNetAddress(text)));
    expect(bookAddress(text)).to.deep.equal({ id: id(7), host: "10.0.0.1", port: 26656 });
    expect(sourceAddress(`${id(8)}@0.0.0.0:1`)).to.deep.equal({ id: id(8), host: "0.0.0.0", port: 1 });
    expect(toProtoAddress(`${id(9)}@127.0.0.9:26656`)).to.deep.equal({ id: id(9), ip: "127.0.0.9", port: 26656 });
    for (const bad of BAD_ADDRESSES) {
      for (const f of [bookAddress, sourceAddress, toProtoAddress]) expectBadAddress(() => f(bad), bad);
    }
  });

  it("AddressBook.add and addOurAddress take ID@host:port", () => {
    const book = new AddressBook({ strict: false, scheduler: new VirtualTimeScheduler() });
    book.add(`${id(10)}@127.0.0.10:26656`, `${id(1)}@127.0.0.1:1`);
    expect(book.get(id(10))!.addr).to.deep.equal({ id: id(10), host: "127.0.0.10", port: 26656 });
    expect(book.get(id(10))!.src).to.deep.equal({ id: id(1), host: "127.0.0.1", port: 1 });
    book.addOurAddress(`${id(11)}@127.0.0.11:26656`);
    expect(() => book.add(`${id(11)}@127.0.0.11:26656`, `${id(1)}@127.0.0.1:1`)).to.throw(/our own address/);
    for (const bad of BAD_ADDRESSES) {
      expectBadAddress(() => book.add(bad, `${id(1)}@127.0.0.1:1`), bad);
      expectBadAddress(() => book.add(`${id(12)}@127.0.0.12:1`, bad), bad);
    }
    expect(book.size).to.equal(1);
  });

  it("PexDialer.dial, attemptsOf and allowed take ID@host:port: the host and the filter get it parsed; bad text rejects with NetAddressError and dials nothing", async () => {
    const scheduler = new VirtualTimeScheduler();
    const book = new AddressBook({ strict: false, scheduler });
    const dial = sinon.spy((_a: NetAddress) => Promise.reject(new Error("refused")));
    const host: PexHost = { nodeId: id(999), peers: new Map(), dial, stopPeerForError: () => undefined, stopPeerGracefully: () => Promise.resolve() };
    const seen: NetAddress[] = [];
    const dialer = new PexDialer({ book, host, scheduler, random: () => 0, filter: (a) => (seen.push(a), true) });
    const text = `${id(20)}@127.0.0.20:26656`;
    expect(await dialer.dial(text)).to.equal("failed");
    expect(dial.firstCall.args[0]).to.deep.equal({ id: id(20), host: "127.0.0.20", port: 26656 });
    expect(dialer.attemptsOf(text)).to.equal(1);
    expect(dialer.allowed(text)).to.equal(true);
    expect(seen.map((a) => a.host)).to.deep.equal(["127.0.0.20", "127.0.0.20"]);
    for (const bad of BAD_ADDRESSES) {
      const error: unknown = await dialer.dial(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, bad).to.be.instanceOf(NetAddressError);
    }
    sinon.assert.calledOnce(dial);
  });

  it("dialSeeds takes seeds as text and hands its dialer parsed addresses", async () => {
    const dialed: NetAddress[] = [];
    const dialer = { dial: (a: NetAddress) => (dialed.push(a), Promise.resolve("failed" as const)) };
    await dialSeeds({ seeds: [`${id(30)}@127.0.0.30:26656`, parseNetAddress(`${id(31)}@127.0.0.31:26656`)], dialer, random: () => 0 });
    expect(dialed.map((a) => a.id).sort()).to.deep.equal([id(30), id(31)]);
    expect(dialed.every((a) => typeof a === "object" && a.port === 26656)).to.equal(true);
  });

  it("crawl takes seeds as text: a bad one rejects with NetAddressError before anything is dialed; a good one is crawled", async () => {
    const error: unknown = await crawl(["nope"], { network: "n" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(NetAddressError);
    // a loopback port that was just freed: the seed is dialed and fails
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.40", r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const nodes = await crawl([`${id(40)}@127.0.0.40:${port}`], { network: "n" });
    expect(nodes.map((n) => [n.id, n.address, n.status, n.seed])).to.deep.equal([[id(40), `${id(40)}@127.0.0.40:${port}`, "failed", true]]);
  });

  it("the examples of parseNetAddress's doc comment hold", () => {
    expect(parseNetAddress("7A40b3AF3E54D1C12F0C9D6C66AC2F0A3F1C7E21@127.0.0.1:26656")).to.deep.equal({ id: "7a40b3af3e54d1c12f0c9d6c66ac2f0a3f1c7e21", host: "127.0.0.1", port: 26656 });
    expect(parseNetAddress("tcp://7a40b3af3e54d1c12f0c9d6c66ac2f0a3f1c7e21@[::1]:26656").host).to.equal("::1");
    expect(() => parseNetAddress("127.0.0.1:26656")).to.throw(NetAddressError, /expected exactly one '@'/);
  });
});
