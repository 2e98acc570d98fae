import { expect } from "chai";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { keccakF1600 } from "../../../src/secret/keccak.js";

/** SHA3-256 (rate 136, domain byte 0x06) or SHAKE128 (rate 168, 0x1f) as a sponge over {@link keccakF1600}. */
function sponge(rate: number, domain: number, message: Uint8Array, outLength: number): Uint8Array {
  const state = new Uint8Array(200);
  const lanes = new Uint32Array(state.buffer);
  const padded = new Uint8Array(Math.floor(message.length / rate + 1) * rate);
  padded.set(message);
  padded[message.length]! ^= domain;
  padded[padded.length - 1]! ^= 0x80;
  for (let at = 0; at < padded.length; at += rate) {
    for (let i = 0; i < rate; i++) state[i]! ^= padded[at + i]!;
    keccakF1600(lanes);
  }
  const out = new Uint8Array(outLength);
  for (let at = 0; ; ) {
    const n = Math.min(rate, outLength - at);
    out.set(state.subarray(0, n), at);
    at += n;
    if (at === outLength) return out;
    keccakF1600(lanes);
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("Keccak-f[1600]", () => {
  it("SHA3-256 and SHAKE128 built on it equal OpenSSL's for any message (several blocks, several squeezes)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (message) => {
        expect(hex(sponge(136, 0x06, message, 32))).to.equal(createHash("sha3-256").update(message).digest("hex"));
        expect(hex(sponge(168, 0x1f, message, 400))).to.equal(createHash("shake128", { outputLength: 400 }).update(message).digest("hex"));
      }),
      { numRuns: 200 },
    );
  });

  it("the empty-message SHA3-256 of FIPS 202", () => {
    expect(hex(sponge(136, 0x06, new Uint8Array(0), 32))).to.equal("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  });
});
