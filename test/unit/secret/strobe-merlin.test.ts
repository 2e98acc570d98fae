import { expect } from "chai";
import { Flag, Op, Strobe128 } from "../../../src/secret/strobe.js";
import { Transcript } from "../../../src/secret/merlin.js";
import { readVectors } from "../../helpers/vectors.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const ascii = (s: string) => new TextEncoder().encode(s);

interface KatOp {
  name: string;
  meta: boolean;
  stream: boolean;
  input_data: string;
  output?: string;
  state_after: string;
}
interface Kat {
  name: string;
  proto_string: string;
  operations: KatOp[];
}

const opFlags: Record<string, number> = {
  AD: Op.AD,
  KEY: Op.KEY,
  PRF: Op.PRF,
  send_ENC: Op.SEND_ENC,
  recv_ENC: Op.RECV_ENC,
  send_MAC: Op.SEND_MAC,
  recv_MAC: Op.RECV_MAC,
  send_CLR: Op.SEND_CLR,
  recv_CLR: Op.RECV_CLR,
  RATCHET: Op.RATCHET,
};

describe("STROBE-128 against the known-answer tests", () => {
  for (const file of ["simple", "meta", "streaming", "boundary"]) {
    it(`${file}: every operation's output and the state after it`, () => {
      const kat = readVectors<Kat>(`strobe/${file}_test_vector.json`);
      const [init, ...ops] = kat.operations;
      const s = new Strobe128(ascii(kat.proto_string));
      expect(hex(s.stateBytes()), "state after init").to.equal(init.state_after);
      ops.forEach((op, i) => {
        const flags = opFlags[op.name] | (op.meta ? Flag.M : 0);
        const out = s.operate(flags, bytes(op.input_data), op.stream);
        if (op.output !== undefined && op.name !== "recv_MAC") expect(hex(out), `output of op ${i + 1} (${op.name})`).to.equal(op.output);
        expect(hex(s.stateBytes()), `state after op ${i + 1} (${op.name})`).to.equal(op.state_after);
      });
      expect(ops.length).to.be.greaterThan(2);
    });
  }

  it("matches curve25519-voi's sanity test (meta-AD, KEY, clone, streamed AD, PRF)", () => {
    const data = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);
    const s = new Strobe128(ascii("test-strobe-sanity"));
    s.metaAd(data);
    s.key(ascii("test-strobe-sanity-key"));
    const s2 = s.clone();
    s.ad(data);
    s.ad(data, true);
    expect(hex(s.prf(64))).to.equal(
      "c4728cdd0361684d643a44221d16dc4677c62ed74a7f103635bd9cb6f3cc11bdd8405b105cd7de36f800dda96ea52c6adab88225c44faba4281dcdf84b2f3454",
    );
    expect(hex(s2.prf(16))).to.equal("16671f5f3603853adaf55614387d5604");
  });

  it("refuses to continue an operation with other flags", () => {
    const s = new Strobe128(ascii("x"));
    s.ad(ascii("a"));
    expect(() => s.metaAd(ascii("b"), true)).to.throw(/more/);
  });
});

describe("Merlin transcripts against the vectors", () => {
  it("simple transcript", () => {
    const t = new Transcript("test protocol");
    t.appendMessage("some label", "some data");
    expect(hex(t.challengeBytes("challenge", 32))).to.equal("d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
  });

  it("complex transcript: 32 rounds of challenge, 1 KiB append, challenge fed back", () => {
    const t = new Transcript("test protocol");
    t.appendMessage("step1", "some data");
    const big = new Uint8Array(1024).fill(99);
    let chl: Uint8Array = new Uint8Array();
    for (let i = 0; i < 32; i++) {
      chl = t.challengeBytes("challenge", 32);
      t.appendMessage("bigdata", big);
      t.appendMessage("challengedata", chl);
    }
    expect(hex(chl)).to.equal("a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c");
  });

  it("clones are independent", () => {
    const t = new Transcript("test protocol");
    t.appendMessage("some label", "some data");
    const c1 = t.clone();
    const c2 = t.clone();
    c2.appendMessage("someother label", "someother data");
    const expected = "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615";
    expect(hex(c1.challengeBytes("challenge", 32))).to.equal(expected);
    expect(hex(c2.challengeBytes("challenge", 32))).to.not.equal(expected);
    expect(hex(t.challengeBytes("challenge", 32))).to.equal(expected);
  });
});
