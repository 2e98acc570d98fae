import { expect } from "chai";
import { formatNetAddress, NetAddressError, parseNetAddress } from "rx-mconn";
import { AddressBook, formatIp, isLoopback, isRoutable, parseIp } from "rx-mconn/pex";

const ID = "7a40b3af3e54d1c12f0c9d6c66ac2f0a3f1c7e21";

describe("addresses, as text and parsed", () => {
  it("parseNetAddress reads ID@host:port: a scheme is dropped, the ID lowercased, IPv6 in brackets", () => {
    expect(parseNetAddress(`${ID.toUpperCase()}@127.0.0.1:26656`)).to.deep.equal({ id: ID, host: "127.0.0.1", port: 26656 });
    expect(parseNetAddress(`tcp://${ID}@[::1]:26656`).host).to.equal("::1");
    expect(formatNetAddress({ id: ID, host: "::1", port: 26656 })).to.equal(`${ID}@[::1]:26656`);
  });

  it("a text that does not parse is a NetAddressError saying what is wrong", () => {
    expect(() => parseNetAddress("127.0.0.1:26656")).to.throw(NetAddressError, /exactly one '@'/);
    expect(() => parseNetAddress(`${ID}@127.0.0.1`)).to.throw(NetAddressError, /missing port/);
  });

  it("functions that take an address or an IP take the text too", () => {
    expect(isLoopback("127.0.0.42")).to.equal(true);
    expect(isRoutable("192.168.1.1")).to.equal(false);
    expect(() => isLoopback("localhost")).to.throw(NetAddressError, /not an IP address/);
    const book = new AddressBook({ strict: false });
    book.add(`${ID}@127.0.0.2:26656`, `${"b".repeat(40)}@127.0.0.3:26656`);
    expect(book.get(ID)?.addr).to.deep.equal({ id: ID, host: "127.0.0.2", port: 26656 });
  });

  it("parseIp gives the 16 bytes of an IP literal, undefined for anything else: parse once to test many times", () => {
    const ip = parseIp("::ffff:10.0.0.1");
    expect(ip).to.have.length(16);
    expect(formatIp(ip!)).to.equal("10.0.0.1");
    expect(parseIp("localhost")).to.equal(undefined);
  });
});
