import { expect } from "chai";
import { MalformedPacketError, PacketTooLargeError } from "../../../src/errors.js";
import { encodeUvarint, UvarintReader } from "../../../src/wire/uvarint.js";

describe("UvarintReader", () => {
  it("reads a varint fed in pieces of any size, reporting its value, its size and where it ended", () => {
    for (const value of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 53 - 1]) {
      const bytes = encodeUvarint(value);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const reader = new UvarintReader();
        const first = reader.read(bytes, 0, cut);
        const end = first >= 0 ? first : reader.read(bytes, cut, bytes.length);
        expect([reader.value, reader.size, end], `${value} cut at ${cut}`).to.deep.equal([value, bytes.length, bytes.length]);
      }
    }
  });

  it("answers -1 while the varint is incomplete, and reset() starts the next one", () => {
    const reader = new UvarintReader();
    expect(reader.read(Uint8Array.of(0x80, 0x80), 0, 2)).to.equal(-1);
    expect(reader.reset().read(Uint8Array.of(5, 9), 0, 2)).to.equal(1);
    expect(reader.value).to.equal(5);
  });

  it("rejects a value over its maximum on the byte that shows it, before the varint ends", () => {
    // 0xff 0xff … : 16383 after two bytes, already over 1034, though more bytes are announced.
    expect(() => new UvarintReader(1034).read(Uint8Array.of(0xff, 0xff), 0, 2)).to.throw(PacketTooLargeError);
    expect(new UvarintReader(1034).read(Uint8Array.of(0xff), 0, 1)).to.equal(-1);
    // 1035 = 0x8b 0x08: refused by a maximum of 1034, accepted by 1035.
    expect(() => new UvarintReader(1034).read(Uint8Array.of(0x8b, 0x08), 0, 2)).to.throw(PacketTooLargeError);
    expect(new UvarintReader(1035).read(Uint8Array.of(0x8b, 0x08), 0, 2)).to.equal(2);
  });

  it("rejects a varint overflowing 64 bits on its tenth byte, naming what it reads", () => {
    const ten = Uint8Array.from([...new Array<number>(9).fill(0xff), 0x02]);
    expect(() => new UvarintReader(Infinity, "length prefix").read(ten, 0, ten.length))
      .to.throw(MalformedPacketError)
      .with.property("message", "length prefix overflows 64 bits");
  });
});
