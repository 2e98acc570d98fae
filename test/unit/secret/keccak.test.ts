import { expect } from "chai";
import fc from "fast-check";
import { keccakP } from "@noble/hashes/sha3.js";
import { keccakF1600 } from "../../../src/secret/keccak.js";

const hex = (words: Uint32Array) => Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString("hex");

describe("Keccak-f[1600]", () => {
  it("permutes the all-zero state into the known first state (FIPS 202: lane 0 = f1258f7940e1dde7)", () => {
    const s = new Uint32Array(50);
    keccakF1600(s);
    expect(Buffer.from(s.buffer, 0, 8).readBigUInt64LE().toString(16)).to.equal("f1258f7940e1dde7");
  });

  it("gives what @noble/hashes' keccakP gives, for any state, permuted again and again", () => {
    fc.assert(
      fc.property(fc.uint32Array({ minLength: 50, maxLength: 50 }), fc.integer({ min: 1, max: 3 }), (words, times) => {
        const ours = Uint32Array.from(words);
        const reference = Uint32Array.from(words);
        for (let i = 0; i < times; i++) {
          keccakF1600(ours);
          keccakP(reference, 24);
        }
        expect(hex(ours)).to.equal(hex(reference));
      }),
      { numRuns: 200 },
    );
  });
});
