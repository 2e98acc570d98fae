import { ConfigError } from "../../../src/error-base.js";
import { expect } from "chai";
import {
  COMETBFT_LINES,
  blocksyncChannels,
  cometbftChannel,
  cometbftChannels,
  cometbftLine,
  consensusChannels,
  defaultMaxTxBytes,
  consensusCodec,
  evidenceChannels,
  mempoolChannels,
  mempoolCodec,
  mempoolRecvMessageCapacity,
  pexChannels,
  statesyncChannels,
} from "../../../src/cometbft/index.js";
import { resolveChannels } from "../../../src/mconn/channel-descriptor.js";

/**
 * Each line's reactors, as their `GetChannels()` declare them (v0.34.35, v0.37.18, v0.38.26,
 * v0.39.4, v0.40.0, v1.0.1; Go's defaults where a value is left out: send queue 1, receive buffer
 * 4096): id, priority, send queue, receive buffer, receive message limit. v0.40 differs only in
 * the mempool limit, which follows its default `max_tx_bytes` of 4 MiB.
 */
const GO: readonly (readonly [number, number, number, number, number])[] = [
  [0x40, 5, 1000, 204_800, 104_857_605], // blocksync (v0.34: blockchain v0): MaxBlockSizeBytes + 4 + 1
  [0x20, 6, 100, 4096, 1_048_576],
  [0x21, 10, 100, 204_800, 1_048_576],
  [0x22, 7, 100, 10_000, 1_048_576],
  [0x23, 1, 2, 1024, 1_048_576],
  [0x30, 5, 1, 4096, 1_048_584], // batchMsg.Size() with the default max_tx_bytes
  [0x38, 6, 1, 4096, 1_048_576],
  [0x60, 5, 10, 4096, 4_000_000],
  [0x61, 3, 10, 4096, 16_000_000],
  [0x00, 1, 10, 4096, 64_000], // maxAddressSize * maxGetSelection
];
/** v0.40.0's mempool channel: `batchMsg.Size()` with its default max_tx_bytes, 4 MiB. */
const GO_V040_MEMPOOL = [0x30, 5, 1, 4096, 4_194_314] as const;
const goTable = (line: string) => GO.map((row) => (line === "v0.40" && row[0] === 0x30 ? GO_V040_MEMPOOL : row));

/** A logger that fails the test on any warning. */
const failOnWarn = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_: Record<string, unknown>, message: string) => {
    throw new Error(`unexpected warning: ${message}`);
  },
  error: () => undefined,
};

describe("rx-mconn/cometbft channels", () => {
  it("cometbftLine names the line of a tag, a module version or a NodeInfo version, and nothing else", () => {
    expect(cometbftLine("v0.34.35")).to.equal("v0.34");
    expect(cometbftLine("0.37.16")).to.equal("v0.37");
    expect(cometbftLine("v0.38.26")).to.equal("v0.38");
    expect(cometbftLine("0.39.4")).to.equal("v0.39");
    expect(cometbftLine("v0.40.0")).to.equal("v0.40");
    expect(cometbftLine("1.0.1")).to.equal("v1");
    expect(cometbftLine("v1.0.0-rc1")).to.equal("v1");
    expect(cometbftLine("v0.38")).to.equal("v0.38");
    for (const other of ["0.36.0", "0.35.9", "0.33.0", "2.0.0", "3.1.0", "", "cometbft", "v0.38.x"]) expect(cometbftLine(other, { logger: failOnWarn }), other).to.equal(undefined);
  });

  it("a version newer than every known line of its major is taken for the newest, with one warning through the logger naming the assumption", () => {
    const warnings: [Record<string, unknown>, string][] = [];
    const logger = { ...failOnWarn, warn: (fields: Record<string, unknown>, message: string) => void warnings.push([fields, message]) };
    expect(cometbftLine("0.41.0", { logger })).to.equal("v0.40");
    expect(cometbftLine("v0.41.0", { logger })).to.equal("v0.40");
    expect(cometbftLine("0.41.0", { logger })).to.equal("v0.40");
    expect(cometbftLine("1.1.0", { logger })).to.equal("v1");
    expect(cometbftLine("v1.12.3-rc1", { logger })).to.equal("v1");
    // one warning per version, however often it is asked
    expect(warnings.map(([f]) => [f["version"], f["assumedLine"]])).to.deep.equal([
      ["0.41.0", "v0.40"],
      ["v0.41.0", "v0.40"],
      ["1.1.0", "v1"],
      ["v1.12.3-rc1", "v1"],
    ]);
    expect(warnings[0][1]).to.match(/CometBFT 0\.41\.0 is newer than every line rx-mconn knows; assuming it speaks as v0\.40/);
    // known lines never warn
    for (const known of ["0.40.0", "0.39.0", "1.0.1", "0.34.35"]) cometbftLine(known, { logger: failOnWarn });
  });

  it("without a logger, the assumption is one process warning per version (CometbftLineWarning)", async () => {
    const seen: Error[] = [];
    const listener = (w: Error) => void seen.push(w);
    process.on("warning", listener);
    try {
      const version = `0.${41 + Math.floor(Math.random() * 1000)}.0`; // not warned about before in this process
      expect(cometbftLine(version)).to.equal("v0.40");
      expect(cometbftLine(version)).to.equal("v0.40");
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      const ours = seen.filter((w) => w.message.includes(version));
      expect(ours.map((w) => [w.name, (w as NodeJS.ErrnoException).code])).to.deep.equal([["CometbftLineWarning", "RX_MCONN_COMETBFT_LINE_ASSUMED"]]);
    } finally {
      process.off("warning", listener);
    }
  });

  for (const line of COMETBFT_LINES) {
    it(`${line}: every channel carries the priority and capacities its reactor declares, in advertised order`, () => {
      const all = cometbftChannels(line);
      expect(all.map((c) => [c.id, c.priority, c.sendQueueCapacity, c.recvBufferCapacity, c.recvMessageCapacity])).to.deep.equal(goTable(line));
      expect(() => resolveChannels(all)).to.not.throw();
      expect([...consensusChannels(line), ...mempoolChannels(line), ...evidenceChannels(line), ...blocksyncChannels(line), ...statesyncChannels(line), ...pexChannels(line)].map((c) => c.id).sort()).to.deep.equal(
        GO.map(([id]) => id).sort(),
      );
    });
  }

  it("names each channel and gives it the codec of its messages", () => {
    const names = cometbftChannels("v1").map((c) => c.name);
    expect(names).to.deep.equal(["blocksync", "consensus/state", "consensus/data", "consensus/vote", "consensus/vote-set-bits", "mempool", "evidence", "statesync/snapshot", "statesync/chunk", "pex"]);
    for (const c of consensusChannels("v0.34")) expect(c.codec).to.equal(consensusCodec);
    expect(mempoolChannels("v0.38")[0].codec).to.equal(mempoolCodec);
  });

  it("the mempool limit follows the node's max_tx_bytes as CometBFT computes it", () => {
    expect(mempoolRecvMessageCapacity()).to.equal(1_048_584);
    // Txs: 1 key byte + 1 length byte + 100; Message: 1 + 1 + 102.
    expect(mempoolRecvMessageCapacity(100)).to.equal(104);
    // 127-byte tx: the Txs body is 129 bytes, whose length takes two bytes.
    expect(mempoolRecvMessageCapacity(127)).to.equal(1 + 2 + 129);
    expect(mempoolChannels("v0.37", { maxTxBytes: 100 })[0].recvMessageCapacity).to.equal(104);
    expect(mempoolChannels("v0.40", { maxTxBytes: 100 })[0].recvMessageCapacity).to.equal(104);
    expect([defaultMaxTxBytes("v0.39"), defaultMaxTxBytes("v0.40"), defaultMaxTxBytes("v1")]).to.deep.equal([1_048_576, 4_194_304, 1_048_576]);
    expect(mempoolRecvMessageCapacity(defaultMaxTxBytes("v0.40"))).to.equal(4_194_314);
    // The limit is exactly the size of the largest message.
    const tx = new Uint8Array(127);
    expect(mempoolCodec.encode({ sum: { $case: "txs", value: { txs: [tx] } } }).length).to.equal(mempoolRecvMessageCapacity(127));
  });

  it("refuses an unknown line, an undeclared channel and a bad max_tx_bytes", () => {
    expect(() => cometbftChannel("v0.36" as never, 0x20)).to.throw(ConfigError, /unknown CometBFT line v0.36/);
    expect(() => cometbftChannel("v1", 0x41 as never)).to.throw(ConfigError, /no channel 0x41/);
    expect(() => mempoolChannels("v1", { maxTxBytes: 0 })).to.throw(ConfigError, /maxTxBytes/);
  });
});
