import { expect } from "chai";
import { createHmac, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { hkdfSha256, hmacSha256 } from "../../../src/secret/hkdf.js";

const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

describe("HMAC-SHA256 and HKDF-SHA256 over libsodium", () => {
  it("RFC 5869 test cases 1 and 3", () => {
    // Test case 1
    expect(hex(hkdfSha256(bytes("0b".repeat(22)), bytes("000102030405060708090a0b0c"), bytes("f0f1f2f3f4f5f6f7f8f9"), 42))).to.equal(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
    // Test case 3: no salt, no info
    expect(hex(hkdfSha256(bytes("0b".repeat(22)), new Uint8Array(0), new Uint8Array(0), 42))).to.equal(
      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    );
  });

  it("HMAC equals node:crypto's for any key (including keys over one block) and message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
        expect(hex(hmacSha256(key, message))).to.equal(createHmac("sha256", key).update(message).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("HKDF equals node:crypto's for any key material, salt, info and length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 300 }), (ikm, salt, info, length) => {
        expect(hex(hkdfSha256(ikm, salt, info, length))).to.equal(hex(hkdfSync("sha256", ikm, salt, info, length)));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a length over 255 blocks", () => {
    expect(() => hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1)).to.throw(RangeError);
  });
});
