/**
 * The CometBFT tools of the rx-mconn binary against a stand-in node on loopback: an rx-mconn
 * switch declaring CometBFT's channels that sends the consensus messages real nodes sent
 * (test/vectors/cometbft-messages), serves a chain of blocks over blocksync and takes
 * transactions. The same tools run against real nodes in test/interop/cometbft-tools.test.ts.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filter, firstValueFrom } from "rxjs";
import { blocksyncCodec, cometbftChannels, consensusCodec, headerHash, type BlocksyncMessage, type CometbftChannelId, type ConsensusMessage, type MempoolMessage } from "../../src/cometbft/index.js";
import type { Switch } from "../../src/p2p/switch.js";
import type { Block } from "../../src/proto/tendermint/types/block.js";
import { CliError, parse } from "../../src/cli/args.js";
import { blocks } from "../../src/cli/commands/blocks.js";
import { blockFileSchema, type BlockFileJson } from "../../src/cli/json/block-json.js";
import { txSchema, type TxJson } from "../../src/cli/json/tx-json.js";
import { watchEventSchema, type WatchEventJson } from "../../src/cli/json/watch-json.js";
import { watch } from "../../src/cli/commands/watch.js";
import { buildCli, runCli } from "../helpers/cli.js";
import { fieldKeys, schemaProblems } from "../../src/cli/json/check.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";
import { readVectors } from "../helpers/vectors.js";

const recorded = readVectors<{ messages: { channel: number; type: string; hex: string }[] }>("cometbft-messages/v0.38.26.json").messages;
const template = ((m) => (m.sum?.$case === "blockResponse" ? m.sum.value.block! : undefined))(blocksyncCodec.decode(Buffer.from(recorded.find((m) => m.type === "blockResponse")!.hex, "hex")))!;

/** Blocks 1..n, each naming the previous one's hash as its last block; block `broken` names a wrong one. */
function chain(n: number, broken?: number): Map<bigint, Block> {
  const blocks = new Map<bigint, Block>();
  let previous: Uint8Array = new Uint8Array(0);
  for (let h = 1; h <= n; h++) {
    const lastHash = h === broken ? new Uint8Array(32).fill(7) : previous;
    const header = { ...template.header!, height: BigInt(h), lastBlockId: { hash: lastHash, partSetHeader: { total: 1, hash: new Uint8Array(32).fill(1) } } };
    blocks.set(BigInt(h), { ...template, header });
    previous = headerHash(header)!;
  }
  return blocks;
}

/**
 * A started stand-in node: consensus vectors once the watcher follows, blocks from `blocks`
 * (or, with `blocksync` "silent", no answer; with "leave", it disconnects at the first request),
 * transactions kept.
 */
async function standIn(blocks: Map<bigint, Block>, ids: readonly CometbftChannelId[] = cometbftChannels("v1").map((c) => c.id), blocksync: "serve" | "silent" | "leave" = "serve") {
  const channels = cometbftChannels("v1").filter((c) => ids.includes(c.id));
  const sw: Switch = makeSwitch({ node: { channels } }).sw;
  const txs: Uint8Array[] = [];
  if (ids.includes(0x40)) sw.channel<BlocksyncMessage>(0x40).messages$.subscribe(({ peer, message }) => {
    if (message.sum?.$case !== "blockRequest" || blocksync === "silent") return;
    if (blocksync === "leave") return void sw.stopPeerGracefully(peer);
    const height = message.sum.value.height;
    const block = blocks.get(height);
    const answer: BlocksyncMessage = block === undefined ? { sum: { $case: "noBlockResponse", value: { height } } } : { sum: { $case: "blockResponse", value: { block, extCommit: undefined } } };
    void peer.send(0x40, blocksyncCodec.encode(answer));
  });
  if (ids.includes(0x30)) sw.channel<MempoolMessage>(0x30).messages$.subscribe(({ message }) => {
    if (message.sum?.$case === "txs") txs.push(...message.sum.value.txs);
  });
  // Our round step until the watcher answers with its own, then every recorded consensus message.
  const consensus = recorded.filter((m) => m.channel >= 0x20 && m.channel <= 0x23);
  const step = consensus.find((m) => m.type === "newRoundStep")!;
  const timer = setInterval(() => {
    for (const peer of sw.peers.values()) if (peer.hasChannel(0x20)) void peer.send(0x20, Buffer.from(step.hex, "hex")).catch(() => undefined);
  }, 100);
  sw.channel<ConsensusMessage>(0x20).messages$.subscribe(({ peer, message }) => {
    if (message.sum?.$case !== "newRoundStep") return;
    clearInterval(timer);
    for (const m of consensus) void peer.send(m.channel, Buffer.from(m.hex, "hex")).catch(() => undefined);
  });
  await sw.start();
  return { sw, txs, address: sw.address!, stop: () => (clearInterval(timer), sw.stop()) };
}

describe("rx-mconn watch, blocks and tx on loopback", function () {
  this.timeout(120_000);
  const stops: (() => Promise<void>)[] = [];
  let out = "";
  before(async () => {
    buildCli();
    out = await mkdtemp(join(tmpdir(), "rx-mconn-cli-blocks-"));
  });
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((s) => s()));
  });
  after(async () => rm(out, { recursive: true, force: true }));

  async function node(blocks = chain(12), ids?: readonly CometbftChannelId[], blocksync?: "serve" | "silent" | "leave") {
    const n = await standIn(blocks, ids, blocksync);
    stops.push(n.stop);
    return n;
  }

  it("watch --json streams typed events: steps, proposal, votes with validator index and address, block parts, the assembled block; every field as its schema says", async () => {
    const n = await node();
    const r = await runCli(["watch", n.address, "--network", "test-net", "--json", "--seconds", "3"], 60_000);
    expect(r.code, r.stderr).to.equal(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as WatchEventJson);
    const seen = new Set<string>();
    for (const [i, e] of events.entries()) expect(schemaProblems(watchEventSchema, e, seen), `line ${i + 1}: ${JSON.stringify(e)}`).to.deep.equal([]);
    // every field of every kind the node sent (all but bad_block) was there
    expect(fieldKeys(watchEventSchema).filter((k) => !k.includes("<bad_block>") && !seen.has(k))).to.deep.equal([]);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ["round_step", "proposal", "vote", "block_part", "has_vote", "block"]) expect([...kinds], k).to.include(k);
    const vote = events.find((e) => e.kind === "vote")!;
    expect(vote).to.include({ height: "2", round: 0, type: 1, validator_index: 0, peer_id: n.sw.nodeId });
    expect(vote.validator_address).to.match(/^[0-9A-F]{40}$/);
    const block = events.find((e) => e.kind === "block")!;
    expect(block.header.proposer_address).to.equal(vote.validator_address);
    // the block's hash is the one its proposal and the votes name
    expect(block.hash).to.equal(events.find((e) => e.kind === "proposal")!.block_id.hash);
  });

  it("watch shows steps, votes and each height's summary with the proposer", async () => {
    const n = await node();
    const r = await runCli(["watch", n.address, "--network", "test-net", "--seconds", "3"], 60_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`connected to ${n.sw.nodeId}`);
    expect(r.stdout).to.match(/^2\/0 +prevote +#0 [0-9A-F]{12} for [0-9A-F]{12} +\+\d+ ms$/m);
    expect(r.stdout).to.match(/^2\/0 +block [0-9A-F]{12} proposer [0-9A-F]{12}, 0 tx\(s\), \d+ bytes$/m);
    expect(r.stdout).to.match(/^height 2 round 0: proposer [0-9A-F]{12}, parts 1\/1, prevotes 1 \[#0 \+\d+\], precommits 0 \[\]/m);
  });

  it("watch says so and exits 1 when it sees no consensus event for --quiet seconds (the node sends its messages once, then nothing)", async () => {
    const n = await node();
    const r = await runCli(["watch", n.address, "--network", "test-net", "--quiet", "1", "--seconds", "600"], 60_000);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout, "what it saw first").to.match(/^2\/0 +prevote /m);
    expect(r.stdout, "the open height's summary").to.match(/^height 2 round 0: /m);
    expect(r.stderr.trim()).to.equal("rx-mconn watch: no consensus event in 1 s; the nodes may have halted, or what they send is ignored");
  });

  it("watch, losing its node, summarises the heights that started and none that never did (only its NewHeight step seen)", async () => {
    const n = await node();
    const { values, positionals } = parse(watch, [n.address, "--network", "test-net"]);
    const lines: string[] = [];
    const errors: string[] = [];
    const newHeight = consensusCodec.encode({ sum: { $case: "newRoundStep", value: { height: 3n, round: 0, step: 1, secondsSinceStartTime: 0n, lastCommitRound: 0 } } });
    let moved = false;
    const out = (line: string) => {
      lines.push(line);
      // Once height 2's block is shown, the node announces height 3 (as it does while it waits
      // out timeout_commit); once that is shown, the node goes away.
      if (!moved && /^2\/0 +block /.test(line)) {
        moved = true;
        for (const p of n.sw.peers.values()) void p.send(0x20, newHeight);
      }
      if (/^3\/0 +step NewHeight /.test(line)) void n.stop();
    };
    const code = await within(watch.run(values, positionals, { out, err: (l) => errors.push(l), stopped: new Promise(() => undefined) }), 30_000, "watch to end");
    expect(code, errors.join("\n")).to.equal(1);
    expect(errors.map((e) => e.slice(0, 28))).to.deep.equal(["rx-mconn watch: lost " + n.sw.nodeId.slice(0, 7)]);
    expect(lines, "height 3 announced").to.satisfy((ls: string[]) => ls.some((l) => /^3\/0 +step NewHeight /.test(l)));
    const summaries = lines.filter((l) => l.startsWith("height "));
    expect(summaries.map((l) => l.split(":")[0])).to.deep.equal(["height 2 round 0"]);
  });

  it("blocks writes each block as JSON and checks the hash chain; a broken link fails in one line", async () => {
    const n = await node();
    const r = await runCli(["blocks", n.address, "--network", "test-net", "--from", "2", "--to", "11", "--out", out], 60_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/\[#{30}\] 10\/10 blocks/);
    expect(r.stdout).to.match(/wrote 10 blocks to .*; hash chain checked/);
    expect((await readdir(out)).sort()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `${i + 2}.json`).sort());
    const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => JSON.parse(await readFile(join(out, `${i + 2}.json`), "utf8")) as BlockFileJson));
    // every field as its schema says (RPC /block's result), each one there
    const seen = new Set<string>();
    for (const f of files) expect(schemaProblems(blockFileSchema, f, seen), `height ${f.block.header.height}`).to.deep.equal([]);
    // (the stand-in's blocks hold no transaction and no evidence: those are in test/unit/cli/json-output.test.ts)
    const empty = ["$.block.data.txs[]", "$.block.evidence.evidence[]"];
    expect(fieldKeys(blockFileSchema).filter((k) => !seen.has(k) && !empty.some((e) => k.startsWith(e)))).to.deep.equal([]);
    const [five, six] = [files[3], files[4]];
    expect(five.block.header.height).to.equal("5");
    expect(six.block.header.last_block_id.hash).to.equal(five.block_id.hash);

    const bad = await node(chain(12, 7));
    const broken = await runCli(["blocks", bad.address, "--network", "test-net", "--from", "5", "--to", "9", "--out", out], 60_000);
    expect(broken.code).to.equal(1);
    expect(broken.stderr.trim().split("\n")).to.have.length(1);
    expect(broken.stderr.trim()).to.match(/^rx-mconn blocks: hash chain broken: block 6 hashes to [0-9A-F]{64} but block 7 names 0707[0-7]+ as its last block; wrote 2 of 5 blocks \(5\.\.6\) to .+$/);
  });

  it("blocks fails in one line, exit 1, once every node it fetches from has left; one node of two leaving does not stop it", async () => {
    const leaving = await node(chain(12), undefined, "leave");
    const r = await runCli(["blocks", leaving.address, "--network", "test-net", "--from", "1", "--to", "5", "--out", out], 60_000);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr.trim().split("\n"), r.stderr).to.have.length(1);
    expect(r.stderr.trim()).to.match(new RegExp(`^rx-mconn blocks: lost every node: ${leaving.sw.nodeId}: .*; (wrote no block|wrote [1-4] of 5 blocks \\(1\\.\\.[1-4]\\) to .*)$`));

    const [other, staying] = [await node(chain(12), undefined, "leave"), await node()];
    const both = await runCli(["blocks", other.address, staying.address, "--network", "test-net", "--from", "1", "--to", "5", "--out", out], 60_000);
    expect(both.code, both.stderr).to.equal(0);
    expect(both.stdout).to.match(/wrote 5 blocks to /);
  });

  it("blocks stops when the process is asked to (SIGINT or SIGTERM), saying how far it got", async () => {
    const silent = await node(chain(12), undefined, "silent");
    const { values, positionals } = parse(blocks, [silent.address, "--network", "test-net", "--from", "1", "--to", "3", "--out", out]);
    const lines: string[] = [];
    // asked to stop once connected to the node (which never answers)
    const stopped = firstValueFrom(silent.sw.peers$.pipe(filter((e) => e.type === "added"))).then(() => undefined);
    const run = blocks.run(values, positionals, { out: (l) => lines.push(l), err: (l) => lines.push(l), stopped });
    const error = await within(run.then(() => undefined, (err: unknown) => err), 10_000, "blocks to stop");
    expect(error).to.be.instanceOf(CliError);
    expect((error as CliError).message).to.equal(`interrupted: wrote 0 of 3 blocks to ${out}`);
    expect((error as CliError).code).to.equal(1);
  });

  it("probe prints the node's NodeInfo and a summary; exit 0 when its time is up, 1 when the node leaves first", async () => {
    const n = await node();
    const r = await runCli(["probe", n.address, "--network", "test-net", "--seconds", "1"], 60_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`connected to ${n.sw.nodeId}`);
    expect(r.stdout).to.match(/^summary after \d+\.\d s connected$/m);

    const leaving = await node();
    // the node leaves once the probe says it is connected (however long the command takes to start)
    let left = false;
    const leaveWhenConnected = (printed: string) => {
      if (left || !printed.includes(`connected to ${leaving.sw.nodeId}`)) return;
      left = true;
      void leaving.stop();
    };
    const lost = await runCli(["probe", leaving.address, "--network", "test-net", "--seconds", "30"], 60_000, {}, leaveWhenConnected);
    expect(lost.code, lost.stderr).to.equal(1);
    expect(lost.stdout).to.match(/^summary after \d+\.\d s connected \(peer lost: \S+/m);
  });

  it("tx sends the transaction on the mempool channel and says to whom", async () => {
    const n = await node();
    // the tool only dials: it advertises no address to come back to (0.0.0.0 is one no book keeps)
    const advertised: string[] = [];
    n.sw.peers$.subscribe((e) => {
      if (e.type === "added") advertised.push(e.peer.nodeInfo.listenAddr);
    });
    const r = await runCli(["tx", n.address, "--network", "test-net", "name=satoshi"], 60_000);
    expect(advertised).to.deep.equal(["0.0.0.0:0"]);
    expect(r.code, r.stderr).to.equal(0);
    const hash = createHash("sha256").update("name=satoshi").digest("hex").toUpperCase();
    expect(r.stdout.trim().split("\n")).to.deep.equal([`tx hash ${hash} (12 bytes)`, `sent to ${n.sw.nodeId} (rx-mconn-${n.sw.nodeId.slice(0, 8)}): 12 bytes on channel 0x30`]);
    expect(n.txs.map((t) => Buffer.from(t).toString())).to.deep.equal(["name=satoshi"]);
  });

  it("tx --json prints one object: the hash, the transaction in base64 and each node's outcome, as its schema says", async () => {
    const n = await node();
    const r = await runCli(["tx", n.address, "--network", "test-net", "--json", "--hex", "00ff10"], 60_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split("\n"), "one line").to.have.length(1);
    const out = JSON.parse(r.stdout) as TxJson;
    const seen = new Set<string>();
    expect(schemaProblems(txSchema, out, seen)).to.deep.equal([]);
    expect(fieldKeys(txSchema).filter((k) => !seen.has(k))).to.deep.equal([]);
    expect(out).to.deep.equal({
      hash: createHash("sha256").update(Buffer.from("00ff10", "hex")).digest("hex").toUpperCase(),
      tx: Buffer.from("00ff10", "hex").toString("base64"),
      nodes: [{ id: n.sw.nodeId, moniker: `rx-mconn-${n.sw.nodeId.slice(0, 8)}`, sent: true }],
    });
    expect(n.txs.map((t) => Buffer.from(t).toString("hex"))).to.deep.equal(["00ff10"]);
  });

  it("fails in one line, exit 1, on a wrong network, an unreachable node and a node without the channel", async () => {
    const n = await node(chain(1), [0x20, 0x21, 0x22, 0x23]);
    const cases: [string[], RegExp][] = [
      [["watch", n.address, "--network", "other-net", "--seconds", "1"], /^rx-mconn watch: could not connect to .*network/],
      [["tx", `${n.sw.nodeId}@127.0.0.1:1`, "--network", "test-net", "x=y"], /^rx-mconn tx: could not connect to .*127\.0\.0\.1:1/],
      [["blocks", n.address, "--network", "test-net", "--from", "1", "--to", "1", "--out", out], /^rx-mconn blocks: could not connect to .*: no channel in common \(ours \[40\], theirs \[20 21 22 23\]\)$/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, 60_000);
      expect(r.code, args.join(" ")).to.equal(1);
      expect(r.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(r.stderr.trim(), `${args.join(" ")}: ${r.stderr}`).to.match(message);
    }
  });
});
