/**
 * The mempool and blocksync channels against a real CometBFT node, through rx-mconn/cometbft's
 * helpers: a transaction we send on 0x30 (`submitTx`) is committed by the kvstore app, and the
 * block holding it, fetched on 0x40 (`fetchBlock`), matches the node's RPC `/block` field by field.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { filter, firstValueFrom, lastValueFrom, toArray } from "rxjs";
import { BlockNotAvailableError, consensusCodec, EmptyTxError, fetchBlock, mempoolCodec, submitTx, TxTooLargeError, type MempoolMessage } from "../../src/cometbft/index.js";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import type { Block } from "../../src/proto/tendermint/types/block.js";
import { within } from "../helpers/tcp.js";
import { cometLine, cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { cometSwitch, eventually, saveRecording } from "./cometbft-switch.js";

const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString("hex").toUpperCase();

/** RFC 3339 with nanoseconds (as CometBFT's RPC writes times) → seconds and nanos. */
function rfc3339(time: string): { seconds: bigint; nanos: number } {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  if (m === null) throw new Error(`not an RFC 3339 UTC time: ${time}`);
  return { seconds: BigInt(Date.parse(`${m[1]}Z`) / 1000), nanos: Number((m.at(2) ?? "").padEnd(9, "0")) };
}

interface RpcBlock {
  block_id: { hash: string };
  block: {
    header: Record<string, string> & { version: { block: string }; last_block_id: { hash: string; parts: { total: number; hash: string } } };
    data: { txs: string[] | null };
    last_commit: { height: string; round: number; signatures: { validator_address: string; signature: string | null }[] };
  };
}

describe(`CometBFT ${cometVersion}: mempool and blocksync channels`, function () {
  this.timeout(120_000);
  let node: CometNode;
  let sw: Switch;
  let peer: Peer;
  let txHeight: number | undefined;
  const tx = Buffer.from(`rx-mconn-${process.pid}-${Date.now()}=committed over p2p`);

  before(async function () {
    this.timeout(900_000);
    node = await startNode();
    sw = await cometSwitch(node.chainId);
    peer = await within(sw.dial(node.address), 10_000, `dialing ${node.address}`);
  });
  after(async () => {
    await (sw as Switch | undefined)?.stop(); // undefined when the node failed to start
    saveRecording();
    await (node as CometNode | undefined)?.stop();
  });

  it("@every-line submitTx: a transaction sent on the mempool channel is committed by the kvstore app", async () => {
    const deliveries = await lastValueFrom(submitTx(sw, tx).pipe(toArray()));
    expect(deliveries.map((d) => [d.peer.id, d.queued])).to.deep.equal([[node.id, true]]);
    const hash = createHash("sha256").update(tx).digest("hex");
    const found = await eventually(
      () => node.rpc<{ height: string; tx_result: { code: number } } | undefined>(`tx?hash=0x${hash}`),
      (r) => r !== undefined,
      30_000,
      `the node's RPC finding transaction ${hash} in a block`,
    );
    expect(found!.tx_result.code).to.equal(0);
    txHeight = Number(found!.height);
    const key = tx.toString().split("=")[0];
    const query = await node.rpc<{ response: { value: string } }>(`abci_query?data=${encodeURIComponent(JSON.stringify(key))}`);
    expect(Buffer.from(query.response.value, "base64").toString()).to.equal("committed over p2p");
  });

  it("@every-line fetchBlock: the block with our transaction, fetched on the blocksync channel, matches RPC /block field by field", async () => {
    const height = txHeight ?? 1;
    const block: Block = (await firstValueFrom(fetchBlock(sw, peer, BigInt(height)))).block!;
    const rpc = await node.rpc<RpcBlock>(`block?height=${height}`);
    const h = block.header!;
    const theirs = rpc.block.header;
    expect(h.chainId).to.equal(theirs["chain_id"]);
    expect(h.height.toString()).to.equal(theirs["height"]);
    expect(h.version!.block.toString()).to.equal(theirs.version.block);
    expect(h.time).to.deep.equal(rfc3339(theirs["time"]));
    expect(hex(h.lastBlockId?.hash)).to.equal(theirs.last_block_id.hash);
    expect(h.lastBlockId?.partSetHeader?.total ?? 0).to.equal(theirs.last_block_id.parts.total);
    const hashes = ["last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "consensus_hash", "app_hash", "last_results_hash", "evidence_hash", "proposer_address"] as const;
    const ours: Record<(typeof hashes)[number], Uint8Array> = {
      last_commit_hash: h.lastCommitHash,
      data_hash: h.dataHash,
      validators_hash: h.validatorsHash,
      next_validators_hash: h.nextValidatorsHash,
      consensus_hash: h.consensusHash,
      app_hash: h.appHash,
      last_results_hash: h.lastResultsHash,
      evidence_hash: h.evidenceHash,
      proposer_address: h.proposerAddress,
    };
    for (const k of hashes) expect(hex(ours[k]), k).to.equal(theirs[k]);
    expect(block.data!.txs.map((t) => Buffer.from(t).toString("base64"))).to.deep.equal(rpc.block.data.txs ?? []);
    if (txHeight !== undefined) expect(block.data!.txs.map((t) => Buffer.from(t).toString())).to.include(tx.toString());
    const commit = block.lastCommit!;
    expect(commit.height.toString()).to.equal(rpc.block.last_commit.height);
    expect(commit.signatures.map((s) => [hex(s.validatorAddress), Buffer.from(s.signature).toString("base64")])).to.deep.equal(
      rpc.block.last_commit.signatures.map((s) => [s.validator_address, s.signature ?? ""]),
    );
  });

  it("@every-line fetchBlock: a height the node does not have fails with BlockNotAvailableError", async () => {
    const error = await firstValueFrom(fetchBlock(sw, peer, 1_000_000n)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BlockNotAvailableError);
    expect((error as BlockNotAvailableError).height).to.equal(1_000_000n);
  });

  it("@every-line a transaction submitted to the node's RPC is gossiped to us on the mempool channel, decoded", async () => {
    // The node gossips a transaction to peers whose consensus height is close to its own.
    const status = await node.rpc<{ sync_info: { latest_block_height: string } }>("status");
    const height = BigInt(status.sync_info.latest_block_height) + 1n;
    const step = { height, round: 0, step: 1, secondsSinceStartTime: 0n, lastCommitRound: 0 };
    await peer.send(0x20, consensusCodec.encode({ sum: { $case: "newRoundStep", value: step } }));
    const mine = Buffer.from(`rx-mconn-rpc-${Date.now()}=gossiped`);
    const gossiped = firstValueFrom(
      sw.channel<MempoolMessage>(0x30).messages$.pipe(filter((e) => e.message.sum?.$case === "txs" && e.message.sum.value.txs.some((t) => Buffer.from(t).equals(mine)))),
    );
    await node.rpc(`broadcast_tx_sync?tx=${encodeURIComponent(JSON.stringify(mine.toString()))}`);
    const e = await within(gossiped, 15_000, "our RPC transaction on channel 0x30");
    expect(e.peer.id).to.equal(node.id);
  });
});

describe(`CometBFT ${cometVersion}: transactions the node refuses (mempool.max_tx_bytes = 1000)`, function () {
  this.timeout(120_000);
  const MAX = 1000;
  let node: CometNode;
  let sw: Switch;

  before(async function () {
    this.timeout(900_000);
    node = await startNode({ mempool: { max_tx_bytes: String(MAX) } });
    sw = await cometSwitch(node.chainId);
  });
  after(async () => {
    await (sw as Switch | undefined)?.stop();
    await (node as CometNode | undefined)?.stop();
  });

  /** Our peer for the node: the connection up, or a new one. */
  const connect = async () => sw.peers.get(node.id) ?? within(sw.dial(node.address), 10_000, `dialing ${node.address}`);
  /** Resolves with the reason the peer's connection ended, or undefined when it is still up after `ms`. */
  const endedWithin = (peer: Peer, ms: number) => within(firstValueFrom(peer.ended$), ms, "").then((r) => r, () => undefined);
  const txOf = (size: number) => Buffer.from(`size-${size}-${Date.now()}=`.padEnd(size, "x"));

  it("submitTx refuses a transaction over max_tx_bytes with TxTooLargeError, and an empty one with EmptyTxError, sending nothing: the connection stays up, and one of max_tx_bytes is committed", async () => {
    const peer = await connect();
    const refused = await firstValueFrom(submitTx(sw, txOf(MAX + 1), { maxTxBytes: MAX })).then(() => undefined, (err: unknown) => err);
    expect(refused).to.be.instanceOf(TxTooLargeError);
    expect((refused as TxTooLargeError).message).to.match(/1001 bytes, more than max_tx_bytes 1000/);
    const empty = await firstValueFrom(submitTx(sw, new Uint8Array(0), { maxTxBytes: MAX })).then(() => undefined, (err: unknown) => err);
    expect(empty).to.be.instanceOf(EmptyTxError);
    const tx = txOf(MAX);
    expect((await lastValueFrom(submitTx(sw, tx, { maxTxBytes: MAX }).pipe(toArray()))).map((d) => d.queued)).to.deep.equal([true]);
    const hash = createHash("sha256").update(tx).digest("hex");
    const found = await eventually(() => node.rpc<{ tx_result: { code: number } } | undefined>(`tx?hash=0x${hash}`), (r) => r?.tx_result !== undefined, 30_000, "the transaction of max_tx_bytes committed");
    expect(found!.tx_result.code).to.equal(0);
    expect(sw.peers.get(node.id), "still connected").to.equal(peer);
  });

  it("what submitTx spares us: the same transaction sent raw on 0x30 makes the node close the connection", async () => {
    const peer = await connect();
    const ended = endedWithin(peer, 20_000);
    await peer.send(0x30, mempoolCodec.encode({ sum: { $case: "txs", value: { txs: [txOf(MAX + 1)] } } }));
    expect(await ended, "the connection's end").to.not.equal(undefined);
    await node.waitForLog(/exceeds|capacity|rejected msg|Stopping peer for error/i, 10_000, "the node's error for our peer");
    await eventually(() => Promise.resolve(sw.peers.has(node.id)), (has) => !has, 10_000, "the peer removed");
  });
  if (cometLine === "v0.40")
    it("v0.40: an empty transaction sent raw on 0x30 makes the node close the connection (its mempool filter)", async () => {
      const peer = await connect();
      const ended = endedWithin(peer, 20_000);
      await peer.send(0x30, mempoolCodec.encode({ sum: { $case: "txs", value: { txs: [new Uint8Array(0)] } } }));
      expect(await ended, "the connection's end").to.not.equal(undefined);
      await node.waitForLog(/empty transaction/i, 10_000, "the node's error for the empty transaction");
    });
});
