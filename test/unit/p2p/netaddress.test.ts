import { expect } from "chai";
import { NetAddressError } from "../../../src/p2p/errors.js";
import { formatNetAddress, parseHostPort, parseNetAddress } from "../../../src/p2p/netaddress.js";
import { readVectors } from "../../helpers/vectors.js";

interface NetAddressVectors {
  netaddress: {
    to_string: { id: string; tcp_addr?: string; ip?: string; port?: number; string: string }[];
    parse: { input: string; ok: boolean; string?: string; note?: string }[];
    parse_list: { inputs: string[]; num_errors: number; num_addrs: number };
  };
}

describe("NetAddress (CometBFT vectors)", () => {
  const v = readVectors<NetAddressVectors>("cometbft/extracted.json").netaddress;

  for (const c of v.parse.filter((p) => !(p.note ?? "").includes("DNS"))) {
    it(`${c.ok ? "parses" : "rejects"} ${JSON.stringify(c.input)}`, () => {
      if (c.ok) expect(formatNetAddress(parseNetAddress(c.input))).to.equal(c.string);
      else expect(() => parseNetAddress(c.input)).to.throw(NetAddressError);
    });
  }

  it("prints as CometBFT does", () => {
    for (const c of v.to_string) {
      const hp = c.tcp_addr !== undefined ? parseHostPort(c.tcp_addr) : { host: c.ip!, port: c.port! };
      expect(formatNetAddress({ id: c.id, ...hp })).to.equal(c.string);
    }
  });

  it("parses a list with the expected number of errors", () => {
    let errors = 0;
    let addrs = 0;
    for (const input of v.parse_list.inputs) {
      try {
        parseNetAddress(input);
        addrs++;
      } catch (err) {
        expect(err).to.be.instanceOf(NetAddressError);
        errors++;
      }
    }
    expect([errors, addrs]).to.deep.equal([v.parse_list.num_errors, v.parse_list.num_addrs]);
  });

  it("handles IPv6 in brackets and host names, and says what is wrong", () => {
    const id = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    expect(parseNetAddress(`${id}@[::1]:26656`)).to.deep.equal({ id, host: "::1", port: 26656 });
    expect(formatNetAddress({ id, host: "::1", port: 26656 })).to.equal(`${id}@[::1]:26656`);
    expect(parseNetAddress(`${id.toUpperCase()}@node-1.example.com:1`)).to.deep.equal({ id, host: "node-1.example.com", port: 1 });
    expect(() => parseNetAddress(`${id}@::1:26656`)).to.throw(NetAddressError, /brackets/);
    expect(() => parseNetAddress(`${id}@127.0.0.1:65536`)).to.throw(NetAddressError, /port/);
    expect(() => parseNetAddress(`abc@127.0.0.1:1`)).to.throw(NetAddressError, /40 hex/);
  });
});
