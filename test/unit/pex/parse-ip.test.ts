import { expect } from "chai";
import { isIP } from "node:net";
import fc from "fast-check";
import { parseIp } from "../../../src/pex/ip.js";

/** What parseIp gives an IPv4 literal, from Node's own check and a plain split. */
function expected(text: string): string | undefined {
  return isIP(text) === 4 ? `00000000000000000000ffff${Buffer.from(text.split(".").map(Number)).toString("hex")}` : undefined;
}

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString("hex"));

describe("parseIp on IPv4 text", () => {
  it("reads canonical and odd IPv4 text as Node's isIP judges it", () => {
    for (const text of ["1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.", ".1.2.3", "a.b.c.d", "1.2.3.04", "11.0.0.1"])
      expect(hex(parseIp(text)), text).to.equal(expected(text));
  });

  it("agrees with isIP on any four numbers joined by dots, and on text near it", () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("00", "01", "007", ""));
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.constantFrom("", " ", ".", "x"), (parts, tail) => {
        const text = parts.join(".") + tail;
        expect(hex(parseIp(text))).to.equal(expected(text));
      }),
    );
  });
});
