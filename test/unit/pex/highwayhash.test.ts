import { expect } from "chai";
import { highwayHash64 } from "../../../src/pex/highwayhash.js";

// Computed with github.com/minio/highwayhash v1.0.3 (New64, Write, Sum(nil)): key bytes 0..31,
// data byte i = (7i + 3) mod 256.
const VECTORS: [number, string][] = [
  [0, "536ec222de567a90"],
  [1, "81b9f00a8471e041"],
  [3, "8fe91e68d438282a"],
  [4, "5460217c64816a1e"],
  [7, "793dbb9bab6c536c"],
  [15, "0623466db25e94b2"],
  [16, "e97cc85c6f017cd9"],
  [17, "57671708d5fb4a57"],
  [31, "137fd83f465c21cf"],
  [32, "06a3dadf9e877126"],
  [33, "a2bd47c03cba8a90"],
  [63, "b39fd0167b3c3e26"],
  [64, "24903b491fd1b4aa"],
  [100, "59307162c9e7c65b"],
];

describe("highwayHash64", () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  for (const [n, hex] of VECTORS)
    it(`matches minio/highwayhash on ${n} bytes`, () => {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
      expect(Buffer.from(highwayHash64(key, data)).toString("hex")).to.equal(hex);
    });

  it("hashes a view into a larger buffer like a copy of it", () => {
    const big = Uint8Array.from({ length: 120 }, (_, i) => (i * 7 + 3 - 35) & 0xff);
    const view = big.subarray(5, 105);
    expect(highwayHash64(key, view)).to.deep.equal(highwayHash64(key, Uint8Array.from(view)));
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => highwayHash64(new Uint8Array(16), new Uint8Array(0))).to.throw(RangeError);
  });
});
