import { expect } from "chai";
import fc from "fast-check";
import { decodeNodeInfo, encodeNodeInfo, type NodeInfo } from "../../../src/p2p/node-info.js";
import { DefaultNodeInfo } from "../../../src/proto/tendermint/p2p/types.js";

const text = fc.oneof(fc.constant(""), fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ minLength: 120, maxLength: 300 }));
const version = fc.oneof(fc.constant(0), fc.nat(200), fc.nat(), fc.constant(2 ** 31), fc.constant(2 ** 32), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const nodeInfo = fc.record({
  protocolVersion: fc.record({ p2p: version, block: version, app: version }),
  nodeId: text,
  listenAddr: text,
  network: text,
  version: text,
  channels: fc.uint8Array({ maxLength: 200 }),
  moniker: text,
  other: fc.record({ txIndex: text, rpcAddress: text }),
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("NodeInfo encoding", () => {
  it("writes a DefaultNodeInfo that decodes back to every field (empty fields, any UTF-16, long fields, versions up to 2^53 − 1)", () => {
    fc.assert(
      fc.property(nodeInfo, (info) => {
        const p = DefaultNodeInfo.decode(encodeNodeInfo(info));
        expect(p.protocolVersion).to.deep.equal({ p2p: BigInt(info.protocolVersion.p2p), block: BigInt(info.protocolVersion.block), app: BigInt(info.protocolVersion.app) });
        expect([p.defaultNodeId, p.listenAddr, p.network, p.version, p.moniker]).to.deep.equal(
          [info.nodeId, info.listenAddr, info.network, info.version, info.moniker].map((t) => Buffer.from(t, "utf8").toString("utf8")),
        );
        expect(hex(p.channels)).to.equal(hex(info.channels));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips through decodeNodeInfo for well-formed strings", () => {
    fc.assert(
      fc.property(nodeInfo, fc.string(), (info, s) => {
        const plain = { ...info, moniker: s, other: { ...info.other } };
        expect(decodeNodeInfo(encodeNodeInfo(plain)).moniker).to.equal(s);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a negative or fractional version", () => {
    const base: NodeInfo = {
      protocolVersion: { p2p: 8, block: 11, app: 0 },
      nodeId: "a".repeat(40),
      listenAddr: "127.0.0.1:1",
      network: "n",
      version: "",
      channels: new Uint8Array(0),
      moniker: "m",
      other: { txIndex: "", rpcAddress: "" },
    };
    expect(() => encodeNodeInfo({ ...base, protocolVersion: { p2p: -1, block: 11, app: 0 } })).to.throw();
    expect(() => encodeNodeInfo({ ...base, protocolVersion: { p2p: 1.5, block: 11, app: 0 } })).to.throw(RangeError);
  });
});
