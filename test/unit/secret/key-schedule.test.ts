import { expect } from "chai";
import { hkdfSync } from "node:crypto";
import fc from "fast-check";
import { splitKeys } from "../../../src/secret/key-schedule.js";

const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("hex");
const INFO = "TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN";

describe("key schedule (HKDF-SHA256 from @noble/hashes)", () => {
  it("derives the 96 bytes node:crypto's HKDF derives (no salt, CometBFT's info) and splits them by key order", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (secret, least) => {
        const expected = new Uint8Array(hkdfSync("sha256", secret, new Uint8Array(0), INFO, 96));
        const { sendKey, recvKey, okm } = splitKeys(secret, least);
        expect(hex(okm)).to.equal(hex(expected));
        const [first, second] = [expected.subarray(0, 32), expected.subarray(32, 64)];
        expect(hex(recvKey)).to.equal(hex(least ? first : second));
        expect(hex(sendKey)).to.equal(hex(least ? second : first));
      }),
      { numRuns: 200 },
    );
  });
});
