import { expect } from "chai";
import { NodeInfoError } from "../../../src/p2p/errors.js";
import { checkCompatible } from "../../../src/p2p/admission/compatibility.js";
import { decodeNodeInfo, encodeNodeInfo, validateNodeInfo, type NodeInfo } from "../../../src/p2p/node-info.js";
import { readVectors } from "../../helpers/vectors.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Uint8Array ? Uint8Array : T[K] extends object ? Mutable<T[K]> : T[K] };

function base(): Mutable<NodeInfo> {
  return {
    protocolVersion: { p2p: 8, block: 11, app: 0 },
    nodeId: "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
    listenAddr: "127.0.0.1:26656",
    network: "testing",
    version: "1.2.3-rc0-deadbeef",
    channels: Uint8Array.from({ length: 16 }, (_, i) => i),
    moniker: "testing",
    other: { txIndex: "on", rpcAddress: "127.0.0.1:26657" },
  };
}

/** Applies one `change` line of the vectors ("field = value") to a NodeInfo. */
function apply(info: Mutable<NodeInfo>, change: string): NodeInfo {
  if (change.startsWith("channels = 0x00..0x0f plus 0x10")) info.channels = Uint8Array.from({ length: 17 }, (_, i) => i);
  else if (change.startsWith("channels = [0,1,2,3,4,1]")) info.channels = Uint8Array.from([0, 1, 2, 3, 4, 1]);
  else if (change.startsWith("channels = [0,1,2,3,4]")) info.channels = Uint8Array.from([0, 1, 2, 3, 4]);
  else {
    const m = /^([a-z_.]+) = (".*?")( \(.*\))?$/.exec(change);
    if (m === null) throw new Error(`unknown change ${change}`);
    const value = JSON.parse(m[2]) as string;
    switch (m[1]) {
      case "listen_addr":
        info.listenAddr = value;
        break;
      case "version":
        info.version = value;
        break;
      case "moniker":
        info.moniker = value;
        break;
      case "other.tx_index":
        info.other.txIndex = value;
        break;
      case "other.rpc_address":
        info.other.rpcAddress = value;
        break;
      default:
        throw new Error(`unknown field ${m[1]}`);
    }
  }
  return info;
}

interface Vectors {
  node_info_validate: { cases: { change: string; valid: boolean }[] };
  node_info_compatible: { cases: { change: string; compatible: boolean }[] };
}

describe("NodeInfo", () => {
  const v = readVectors<Vectors>("cometbft/extracted.json");

  it("the vectors' base is valid; an empty NodeInfo is not", () => {
    expect(() => validateNodeInfo(base())).not.to.throw();
    expect(() =>
      validateNodeInfo({
        protocolVersion: { p2p: 0, block: 0, app: 0 },
        nodeId: "",
        listenAddr: "",
        network: "",
        version: "",
        channels: new Uint8Array(),
        moniker: "",
        other: { txIndex: "", rpcAddress: "" },
      }),
    ).to.throw(NodeInfoError);
  });

  for (const c of v.node_info_validate.cases) {
    it(`validate: ${c.change} → ${c.valid ? "valid" : "invalid"}`, () => {
      const info = apply(base(), c.change);
      if (c.valid) expect(() => validateNodeInfo(info)).not.to.throw();
      else expect(() => validateNodeInfo(info)).to.throw(NodeInfoError);
    });
  }

  for (const c of v.node_info_compatible.cases) {
    it(`compatible: ${c.change} → ${c.compatible}`, () => {
      const ours = { ...base(), channels: Uint8Array.from([1]) };
      const theirs = { ...base(), channels: Uint8Array.from([1]), protocolVersion: { p2p: 8, block: 11, app: 0 } };
      if (c.change === "other side adds channel 0x02") theirs.channels = Uint8Array.from([1, 2]);
      if (c.change === "other side block version + 1") theirs.protocolVersion.block += 1;
      if (c.change === 'other side network + "-wrong"') theirs.network += "-wrong";
      if (c.change === "other side channels = [0x02] only") theirs.channels = Uint8Array.from([2]);
      if (c.compatible) expect(() => checkCompatible(ours, theirs)).not.to.throw();
      else expect(() => checkCompatible(ours, theirs)).to.throw(NodeInfoError);
    });
  }

  it("names the rule broken", () => {
    const rule = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return (err as NodeInfoError).rule;
      }
      return "none";
    };
    expect(rule(() => validateNodeInfo({ ...base(), moniker: " " }))).to.equal("moniker");
    expect(rule(() => validateNodeInfo({ ...base(), nodeId: "xyz" }))).to.equal("node-id");
    expect(rule(() => checkCompatible(base(), { ...base(), network: "other" }))).to.equal("network");
  });

  it("encodes byte-identical to the derived handshake vector (a real node's NodeInfo fields)", () => {
    const f = readVectors<{ a_second_frame: { node_info_proto: string } }>("cometbft/derived-handshake.json").a_second_frame;
    const info: NodeInfo = {
      protocolVersion: { p2p: 8, block: 11, app: 1 },
      nodeId: "21fe31dfa154a261626bf854046fd2271b7bed4b",
      listenAddr: "tcp://127.0.0.1:26656",
      network: "test-chain-AbCdEf",
      version: "0.38.25",
      channels: Uint8Array.from(Buffer.from("40202122233038606100", "hex")),
      moniker: "node-a",
      other: { txIndex: "on", rpcAddress: "tcp://127.0.0.1:26657" },
    };
    expect(Buffer.from(encodeNodeInfo(info)).toString("hex")).to.equal(f.node_info_proto);
    expect(decodeNodeInfo(Buffer.from(f.node_info_proto, "hex"))).to.deep.equal(info);
    expect(() => validateNodeInfo(info)).not.to.throw();
  });

  it("round-trips through protobuf, always writing the non-nullable fields", () => {
    const info = base();
    expect(decodeNodeInfo(encodeNodeInfo(info))).to.deep.equal(info);
    const empty = encodeNodeInfo({ ...base(), protocolVersion: { p2p: 0, block: 0, app: 0 }, other: { txIndex: "", rpcAddress: "" } });
    expect(Buffer.from(empty.subarray(0, 2)).toString("hex")).to.equal("0a00");
    expect(Buffer.from(empty.subarray(empty.length - 2)).toString("hex")).to.equal("4200");
  });
});
