import { expect } from "chai";
import fc from "fast-check";
import { FrameDecoder } from "../../../src/wire/frame-decoder.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";

/** `bytes` cut into pieces, each a view into a buffer of its own of `backing` bytes (as frames opened from sealed 1028-byte frames are). */
function viewsOf(bytes: Uint8Array, cuts: number[], backing: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const n of [...cuts, bytes.length]) {
    const end = Math.min(bytes.length, at + Math.max(1, n));
    if (end <= at) break;
    const buf = new Uint8Array(Math.max(backing, end - at));
    const offset = 7 % (buf.length - (end - at) + 1);
    buf.set(bytes.subarray(at, end), offset);
    parts.push(buf.subarray(offset, offset + end - at));
    at = end;
  }
  return parts;
}

describe("FrameDecoder: an incomplete frame keeps about its own bytes", () => {
  it("a frame sent one byte per 1028-byte buffer does not keep those buffers alive", () => {
    const body = Uint8Array.from({ length: 1030 }, (_, i) => i & 0xff);
    const framed = Buffer.concat([encodeUvarint(body.length), body]);
    const decoder = new FrameDecoder(2048);
    const got: Uint8Array[] = [];
    const parts = viewsOf(framed, new Array<number>(framed.length).fill(1), 1028);
    for (const [i, part] of parts.entries()) {
      decoder.push(part, (buf, start, end) => got.push(buf.slice(start, end)));
      if (i < parts.length - 1) expect(decoder.retained, `retained after ${i + 1} bytes`).to.be.at.most(2 * decoder.buffered + 64);
    }
    expect(got).to.deep.equal([body]);
  });

  it("holds for any cut and any backing size, and frames come out byte-identical", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 700 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4096 }),
        (bodies, cuts, backing) => {
          const stream = Buffer.concat(bodies.flatMap((b) => [encodeUvarint(b.length), b]));
          const decoder = new FrameDecoder(1024);
          const got: Uint8Array[] = [];
          for (const part of viewsOf(stream, cuts, backing)) {
            decoder.push(part, (buf, start, end) => got.push(buf.slice(start, end)));
            expect(decoder.retained).to.be.at.most(Math.max(2 * decoder.buffered + 64, decoder.buffered === 0 ? 0 : backing));
          }
          expect(got.map((g) => Buffer.from(g).toString("hex"))).to.deep.equal(bodies.map((b) => Buffer.from(b).toString("hex")));
        },
      ),
    );
  });
});
