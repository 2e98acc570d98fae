/**
 * The CometBFT tools of the rx-mconn binary against real nodes: `tx` (committed by the kvstore
 * app; its hash and `--json` fields as RPC `/tx` and `/block` show them), `blocks` (50 blocks,
 * some holding large transactions, their hash chain checked, each file equal to RPC `/block`'s
 * result) and `watch --json` (every validator's votes, on a 4-validator network, where one
 * validator signs with ML-DSA-65 from v0.40), and on that network `consensusEvents$` and `fetchBlock`.
 * Every JSON output is checked against its schema (src/cli/json/).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filter, firstValueFrom, lastValueFrom, merge, scan, takeWhile, toArray } from "rxjs";
import { consensusEvents$, fetchBlock, followRounds, submitTx, type ConsensusMessage } from "../../src/cometbft/index.js";
import { blockFileSchema } from "../../src/cli/json/block-json.js";
import { txSchema, type TxJson } from "../../src/cli/json/tx-json.js";
import { watchEventSchema, type WatchEventJson } from "../../src/cli/json/watch-json.js";
import { schemaProblems } from "../../src/cli/json/check.js";
import type { Switch } from "../../src/p2p/switch.js";
import { within } from "../helpers/tcp.js";
import { buildCli, runCli } from "../helpers/cli.js";
import { cometLine, cometVersion, startNode, type CometNode } from "./cometbft-node.js";
import { startNetwork } from "./cometbft-network.js";
import { cometSwitch, eventually, saveRecording } from "./cometbft-switch.js";

const fast = { timeout_commit: '"100ms"' };
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

describe(`rx-mconn tools with CometBFT ${cometVersion}`, function () {
  this.timeout(240_000);
  let node: CometNode | undefined; // undefined when the node failed to start
  let out = "";

  before(async function () {
    this.timeout(900_000);
    buildCli();
    node = await startNode({ moniker: "tools-target", consensus: fast });
    out = await mkdtemp(join(tmpdir(), "rx-mconn-blocks-"));
  });
  after(async () => {
    await node?.stop();
    if (out !== "") await rm(out, { recursive: true, force: true });
  });

  it("@every-line tx: the transaction sent over P2P is committed by the kvstore app", async () => {
    const data = `rx-mconn-tool-${process.pid}-${Date.now()}=sent by rx-mconn tx`;
    const r = await runCli(["tx", node!.address, "--network", node!.chainId, data], 60_000);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
    const hash = createHash("sha256").update(data).digest("hex");
    // the hash it prints is the one the node's RPC finds the transaction by
    expect(r.stdout.trim().split("\n")).to.deep.equal([`tx hash ${hash.toUpperCase()} (${Buffer.byteLength(data)} bytes)`, `sent to ${node!.id} (tools-target): ${Buffer.byteLength(data)} bytes on channel 0x30`]);
    const found = await eventually(() => node!.rpc<{ tx_result: { code: number } } | undefined>(`tx?hash=0x${hash}`), (t) => t !== undefined, 30_000, `RPC /tx finding ${hash}`);
    expect(found!.tx_result.code).to.equal(0);
  });

  it("@every-line tx --json: the hash and the transaction's bytes as RPC /tx and /block show them", async () => {
    const data = `rx-mconn-json-${process.pid}-${Date.now()}=sent by rx-mconn tx --json`;
    const r = await runCli(["tx", node!.address, "--network", node!.chainId, "--json", data], 60_000);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
    const out = JSON.parse(r.stdout) as TxJson;
    expect(schemaProblems(txSchema, out)).to.deep.equal([]);
    expect(out.nodes).to.deep.equal([{ id: node!.id, moniker: "tools-target", sent: true }]);
    const found = await eventually(() => node!.rpc<{ hash: string; height: string; tx: string; tx_result: { code: number } } | undefined>(`tx?hash=0x${out.hash}`), (t) => t !== undefined, 30_000, `RPC /tx finding ${out.hash}`);
    expect(found!.tx_result.code).to.equal(0);
    expect({ hash: found!.hash, tx: found!.tx }).to.deep.equal({ hash: out.hash, tx: out.tx });
    const block = await node!.rpc<{ block: { data: { txs: string[] } } }>(`block?height=${found!.height}`);
    expect(block.block.data.txs).to.include(out.tx);
  });

  it("@every-line blocks: 50 blocks, some with large transactions, written as JSON with their hash chain checked", async () => {
    // Three transactions of 300 kB (several block parts each), sent over P2P.
    const sw: Switch = await cometSwitch(node!.chainId);
    const big = [1, 2, 3].map((i) => Buffer.from(`big-${i}-${Date.now()}=${String(i).repeat(300_000)}`));
    let committedAt: number;
    try {
      await within(sw.dial(node!.address), 10_000, "dialing");
      for (const tx of big) expect((await lastValueFrom(submitTx(sw, tx).pipe(toArray()))).map((d) => d.queued)).to.deep.equal([true]);
      const hash = createHash("sha256").update(big[2]).digest("hex");
      const found = await eventually(() => node!.rpc<{ height: string } | undefined>(`tx?hash=0x${hash}`), (t) => t !== undefined, 60_000, "the last large transaction committed");
      committedAt = Number(found!.height);
    } finally {
      await sw.stop();
    }
    // The 50 blocks end at the last large transaction's height or at 50, whichever is later: on a
    // slow day the node is past height 50 before the transactions go in.
    const to = Math.max(50, committedAt);
    const from = to - 49;
    await eventually(() => node!.rpc<{ sync_info: { latest_block_height: string } }>("status"), (s) => Number(s.sync_info.latest_block_height) > to + 1, 120_000, `height ${to + 2}`);
    const r = await runCli(["blocks", node!.address, "--network", node!.chainId, "--from", String(from), "--to", String(to), "--out", out], 120_000);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
    expect(r.stdout).to.match(/\] 50\/50 blocks, /);
    expect(r.stdout).to.match(/wrote 50 blocks to .*; hash chain checked/);
    const files = await readdir(out);
    expect(files.length).to.equal(50);
    const blocks = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(out, f), "utf8")) as { block_id: { hash: string }; block: { header: { height: string }; data: { txs: string[] } } }));
    for (const b of blocks) expect(schemaProblems(blockFileSchema, b), `height ${b.block.header.height}`).to.deep.equal([]);
    const large = blocks.filter((b) => b.block.data.txs.some((t) => Buffer.from(t, "base64").length > 300_000));
    expect(large.length, "blocks holding the large transactions").to.be.greaterThan(0);
    // Each file is what the node's RPC returns for its height, field for field: the block id
    // (header hash and part-set header), the header, the transactions, the evidence, the last commit.
    for (const b of blocks) {
      const rpc = await node!.rpc(`block?height=${b.block.header.height}`);
      expect(b, `height ${b.block.header.height}`).to.deep.equal(rpc);
    }
  });

  it("@every-line blocks: a height the node does not have fails in one line", async () => {
    const r = await runCli(["blocks", node!.address, "--network", node!.chainId, "--from", "1000000", "--to", "1000001", "--out", out], 60_000);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/^rx-mconn blocks: peer [0-9a-f]{40} does not have block 1000000/);
  });

  // From v0.40, validator 3 signs with an ML-DSA-65 key (3,309-byte signatures, 1,952-byte public key).
  const mldsa = cometLine === "v0.40" ? [3] : [];
  describe(`on a 4-validator network${mldsa.length > 0 ? " (validator 3 signs with ml-dsa-65)" : ""}`, () => {
    let network: CometNode[] = [];
    before(async function () {
      this.timeout(300_000);
      network = await startNetwork(4, `rx-mconn-watch-${process.pid}`, { mldsa });
    });
    after(async () => Promise.all(network.map((n) => n.stop())));

    it("reports a commit's worth of precommits (over 2/3) for each height it saw through, every validator's precommits and prevotes, with ms after round start", async () => {
      const r = await runCli(["watch", network[0].address, "--network", network[0].chainId, "--json", "--seconds", "30"], 90_000);
      expect(r.code, r.stderr).to.equal(0);
      const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as WatchEventJson);
      for (const [i, e] of events.entries()) expect(schemaProblems(watchEventSchema, e), `line ${i + 1}`).to.deep.equal([]);
      const validators = await network[0].rpc<{ validators: { address: string }[] }>("validators");
      const all = validators.validators.map((v) => v.address).sort();
      expect(all).to.have.length(4);
      const heights = [...new Set(events.map((e) => Number(e.height)))].sort((a, b) => a - b);
      // The first and last heights may be seen in part; every height between was seen through.
      const through = heights.slice(1, -1);
      expect(through.length, "heights in 30 s").to.be.greaterThan(5);
      const votes = events.filter((e) => e.kind === "vote").map((v) => ({ height: v.height, type: v.type === 1 ? "prevote" : "precommit", validatorAddress: v.validator_address, msAfterRoundStart: v.ms_after_round_start }));
      // A height commits on precommits from over 2/3 of the validators (3 of 4); a validator late
      // for one height is not in its commit and need not be gossiped, so each height needs 3, and
      // every validator is seen precommitting over the run.
      const missing: string[] = [];
      for (const h of through) {
        const precommits = new Set(votes.filter((v) => Number(v.height) === h && v.type === "precommit").map((v) => v.validatorAddress));
        if (precommits.size < 3) missing.push(`height ${h}: precommits from ${precommits.size} of 4`);
      }
      expect(missing, missing.join("; ")).to.deep.equal([]);
      const precommitters = [...new Set(votes.filter((v) => v.type === "precommit").map((v) => v.validatorAddress))].sort();
      expect(precommitters).to.deep.equal(all);
      const prevoters = [...new Set(votes.filter((v) => v.type === "prevote").map((v) => v.validatorAddress))].sort();
      expect(prevoters).to.deep.equal(all);
      // Votes come in after their round's first event: a clock that reads 0 for every one is broken.
      expect(votes.some((v) => v.msAfterRoundStart > 0), "some vote more than 0 ms after its round start").to.equal(true);
    });

    it("consensusEvents$ decodes every validator's votes (each signature as long as its key type signs), and fetchBlock gets blocks whose commit RPC confirms", async () => {
      const validators = (await network[1].rpc<{ validators: { address: string; pub_key: { type: string } }[] }>("validators")).validators;
      const keyType = new Map(validators.map((v) => [v.address, v.pub_key.type]));
      expect([...keyType.values()].filter((t) => t.includes("MlDsa65")), "validators with ml-dsa-65 keys").to.have.length(mldsa.length);
      const sw = await cometSwitch(network[1].chainId);
      try {
        const peer = await within(sw.dial(network[1].address), 10_000, `dialing ${network[1].address}`);
        // Every validator's precommit seen through consensusEvents$ (following the node's rounds, as
        // `watch` does, so that it gossips them), and each vote's signature length as received.
        const signatures = new Map<string, number>();
        sw.channel<ConsensusMessage>(0x22).messages$.subscribe(({ message }) => {
          if (message.sum?.$case === "vote" && message.sum.value.vote !== undefined) signatures.set(hex(message.sum.value.vote.validatorAddress), message.sum.value.vote.signature.length);
        });
        const precommitters = await within(
          firstValueFrom(
            merge(consensusEvents$(sw), followRounds(sw)).pipe(
              filter((e) => e.kind === "vote" && e.type === "precommit"),
              scan((seen, e) => (e.kind === "vote" ? seen.add(hex(e.validatorAddress)) : seen), new Set<string>()),
              takeWhile((seen) => seen.size < 4, true),
              toArray(),
            ),
          ),
          60_000,
          "a precommit from every validator",
        );
        expect([...precommitters.at(-1)!].sort()).to.deep.equal([...keyType.keys()].sort());
        const sizeOf = (type: string) => (type.includes("MlDsa65") ? 3309 : 64);
        for (const [address, type] of keyType) expect(signatures.get(address), `the signature of ${address} (${type})`).to.equal(sizeOf(type));
        // A recent block over blocksync: its last commit holds the same signatures as RPC's.
        const height = BigInt((await network[1].rpc<{ sync_info: { latest_block_height: string } }>("status")).sync_info.latest_block_height);
        const response = await within(firstValueFrom(fetchBlock(sw, peer, height)), 30_000, `fetching block ${height}`);
        const rpc = await network[1].rpc<{ block: { last_commit: { signatures: { validator_address: string; signature: string | null }[] } } }>(`block?height=${height}`);
        const ours = (response.block?.lastCommit?.signatures ?? []).map((c) => [hex(c.validatorAddress), Buffer.from(c.signature).toString("base64")]);
        const theirs = rpc.block.last_commit.signatures.map((c) => [c.validator_address, c.signature ?? ""]);
        expect(ours).to.deep.equal(theirs);
        expect(ours.filter(([, sig]) => sig !== "").length, "signatures in the last commit").to.be.at.least(3);
        for (const [address, sig] of ours) if (sig !== "") expect(Buffer.from(sig, "base64").length, `commit signature of ${address}`).to.equal(sizeOf(keyType.get(address)!));
      } finally {
        await sw.stop();
        saveRecording();
      }
    });
  });
});
