import { expect } from "chai";
import { hkdfSync } from "node:crypto";
import fc from "fast-check";
import { hkdfSha256 } from "../../../src/secret/hkdf-sha256.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("HKDF-SHA256 on libsodium", () => {
  it("gives RFC 5869's test case 3 (no salt, no info)", () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), new Uint8Array(0), 42);
    expect(hex(okm)).to.equal("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  });

  it("derives what node:crypto's HKDF derives for any key material, info and length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 300 }), (ikm, info, length) => {
        const expected = length === 0 ? new Uint8Array(0) : new Uint8Array(hkdfSync("sha256", ikm, new Uint8Array(0), info, length));
        expect(hex(hkdfSha256(ikm, info, length))).to.equal(hex(expected));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a length HKDF cannot give", () => {
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)).to.throw(RangeError);
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), -1)).to.throw(RangeError);
  });
});
