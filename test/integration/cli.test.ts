/**
 * The `rx-mconn` binary as users run it: built with `npm run build`, started as a process.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filter, firstValueFrom, map, take, toArray } from "rxjs";
import { Switch } from "../../src/p2p/switch.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { buildCli, CLI_BIN, runCli } from "../helpers/cli.js";
import { nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";
import { readVectors } from "../helpers/vectors.js";

/** Waits for a JSON log line on `child`'s stderr with `msg`, within `ms`. */
function logLine(child: ChildProcess, msg: string, ms: number): Promise<Record<string, unknown>> {
  return within(
    new Promise((resolvePromise) => {
      let partial = "";
      child.stderr!.on("data", (c: Buffer) => {
        const lines = (partial + c.toString()).split("\n");
        partial = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith("{")) continue;
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry["msg"] === msg) resolvePromise(entry);
        }
      });
    }),
    ms,
    `the log line "${msg}"`,
  );
}

describe("the rx-mconn command", function () {
  this.timeout(120_000);
  before(function () {
    this.timeout(180_000);
    buildCli();
  });
  // A node a failed test left running is killed, so that no process outlives the suite.
  const children: ChildProcess[] = [];
  const startNode = (args: string[], env: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, [CLI_BIN, "node", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    children.push(child);
    return child;
  };
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("without a command prints the commands and exits 2; an unknown one is one line and exit 2", async () => {
    const none = await runCli([]);
    expect(none.code).to.equal(2);
    expect(none.stdout).to.match(/demo.*\n.*keygen.*\n.*id.*\n.*node.*\n.*probe/);
    const bogus = await runCli(["bogus"]);
    expect(bogus.code).to.equal(2);
    expect(bogus.stderr.trim().split("\n")).to.have.length(1);
    expect(bogus.stderr).to.match(/unknown command "bogus"/);
  });

  it("--version prints the version of package.json", async () => {
    const { version } = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const r = await runCli([flag]);
      expect(r.code, flag).to.equal(0);
      expect(r.stdout, flag).to.equal(`${version}\n`);
    }
  });

  it("the built binary is executable and starts with a node shebang; npm pack ships it with dist/, docs/ and LICENSE, without tests or sources", async () => {
    await access(CLI_BIN, constants.X_OK);
    expect((await readFile(CLI_BIN, "utf8")).split("\n")[0]).to.equal("#!/usr/bin/env node");
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as [
      { files: Array<{ path: string; mode: number }> },
    ];
    const paths = pack.files.map((f) => f.path);
    expect(paths).to.include.members(["LICENSE", "README.md", "package.json", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js"]);
    expect(paths).to.include.members(["docs/guide.md", "docs/cometbft.md", "docs/benchmarks.svg"]);
    const shipped = (p: string) => p.startsWith("dist/src/") || /^docs\/[^/]+\.(md|svg)$/.test(p) || ["LICENSE", "README.md", "CHANGELOG.md", "package.json"].includes(p);
    expect(paths.filter((p) => !shipped(p))).to.deep.equal([]);
    // Every relative link of README.md is to a shipped file.
    const links = [...(await readFile("README.md", "utf8")).matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => m[1]);
    expect(links.length).to.be.greaterThan(5);
    expect(links.filter((l) => !paths.includes(l))).to.deep.equal([]);
    expect(paths.filter((p) => p.endsWith(".map") || (p.endsWith(".ts") && !p.endsWith(".d.ts")))).to.deep.equal([]);
    expect(pack.files.find((f) => f.path === "dist/src/cli/main.js")!.mode & 0o111).to.not.equal(0);
  });

  it("every command has --help listing each option with its default, or saying it is required", async () => {
    const commands = ["demo", "keygen", "id", "node", "probe", "watch", "blocks", "tx", "crawl", "simulate"];
    const listed = (await runCli(["--help"])).stdout.split("commands:\n")[1].split("\n\n")[0].split("\n").map((l) => l.trim().split(" ")[0]);
    expect(listed, "the commands rx-mconn --help lists").to.deep.equal(commands);
    for (const c of commands) {
      const r = await runCli([c, "--help"]);
      expect(r.code, c).to.equal(0);
      expect(r.stdout, c).to.match(new RegExp(`usage: rx-mconn ${c}`));
      const options = r.stdout.split("\n").filter((l) => /^ {2}--/.test(l));
      expect(options.length, c).to.be.greaterThan(1);
      for (const line of options) expect(line, `${c}: ${line}`).to.match(/\((default: .+|required|off unless given)\)$|this help$|print the version$/);
    }
    const node = (await runCli(["node", "--help"])).stdout;
    expect(node).to.match(/--network NAME .*\(default: rx-mconn\)/);
    expect(node).to.match(/--channels ID:PRIORITY,\.\.\. .*\(default: 0x40:1\)/);
    expect(node).to.match(/--max-receive-buffer BYTES .*\(default: 268435456\)/);
    expect(node).to.match(/--max-handshakes-per-ip N .*\(default: 4\)/);
    expect(node).to.match(/--write-stall-timeout MS .*\(default: 20000\)/);
    expect(node).to.match(/--min-connection-lifetime MS .*\(default: 10000\)/);
    expect(node).to.match(/--log-level LEVEL .*trace, debug, info, warn, error, silent/);
    expect((await runCli(["demo", "--help"])).stdout).to.match(/--seconds N .*\(default: 5\)/);
  });

  it("a usage error is one line on stderr and exit 2, and node writes no key before every option is checked", async () => {
    const home = join(await mkdtemp(join(tmpdir(), "rx-mconn-cli-")), "home");
    const node = ["node", "--home", home];
    const listen = [...node, "--listen", "127.0.0.1:0"];
    const cases: Array<[string[], RegExp]> = [
      [["node"], /^rx-mconn node: --listen HOST:PORT is required$/],
      [[...node, "--listen", "nope"], /^rx-mconn node: --listen: invalid address "nope": missing port$/],
      [[...node, "--listen", "127.0.0.1:99999"], /^rx-mconn node: --listen: .*port "99999" is not 0–65535$/],
      [[...listen, "--peers", "abc@127.0.0.1:26656"], /^rx-mconn node: --peers: .*node ID must be 40 hex characters$/],
      [[...listen, "--metrics", "127.0.0.1"], /^rx-mconn node: --metrics: .*missing port$/],
      [[...listen, "--channels", "0x40:0"], /^rx-mconn node: --channels: priority of channel 0x40 must be at least 1$/],
      [[...listen, "--channels", Array.from({ length: 17 }, (_, i) => i).join(",")], /^rx-mconn node: --channels: 17 channels listed, at most 16 allowed$/],
      [[...listen, "--moniker", "\u0001"], /^rx-mconn node: --moniker: .*printable ASCII/],
      [[...listen, "--log-level", "loud"], /^rx-mconn node: --log-level must be one of trace, debug, info, warn, error, silent, got "loud"$/],
      [[...listen, "--log-format", "xml"], /^rx-mconn node: --log-format must be one of json, pretty, got "xml"$/],
      [[...listen, "--echo-buffer", "-1"], /^rx-mconn node: --echo-buffer must be a positive number, got "-1"$/],
      [[...listen, "--max-receive-buffer", "0"], /^rx-mconn node: --max-receive-buffer must be a whole number of at least 1, got "0"$/],
      [[...listen, "--write-stall-timeout", "-5"], /^rx-mconn node: --write-stall-timeout must be a whole number of at least 1, got "-5"$/],
      [[...listen, "--bogus"], /^rx-mconn node: Unknown option '--bogus' \(--help lists the options\)$/],
      [[...listen, "--moniker", "--echo"], /^rx-mconn node: --moniker needs a value/],
      [["demo", "--seconds", "-1"], /^rx-mconn demo: --seconds must be a positive number, got "-1"$/],
      [["demo", "--seconds", "soon"], /^rx-mconn demo: --seconds must be a positive number, got "soon"$/],
      [["probe", "127.0.0.1:26656", "--network", "x"], /^rx-mconn probe: the address: invalid address/],
      [["id", "--home", home, "--key", "node_key.json"], /^rx-mconn id: give --home or --key, not both$/],
      [["watch", "--network", "x"], /^rx-mconn watch: give one address, ID@HOST:PORT$/],
      [["watch", "127.0.0.1:26656", "--network", "x"], /^rx-mconn watch: the address 127\.0\.0\.1:26656: invalid address/],
      [["watch", `${"a".repeat(40)}@127.0.0.1:26656`], /^rx-mconn watch: --network CHAIN_ID is required$/],
      [["watch", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x", "--seconds", "0"], /^rx-mconn watch: --seconds must be a positive number, got "0"$/],
      [["blocks", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x", "--from", "0", "--to", "5", "--out", home], /^rx-mconn blocks: --from must be a height \(a whole number from 1\), got "0"$/],
      [["blocks", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x", "--from", "9", "--to", "5", "--out", home], /^rx-mconn blocks: --to 5 is below --from 9$/],
      [["blocks", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x", "--from", "1", "--to", "5"], /^rx-mconn blocks: --out DIR is required$/],
      [["tx", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x"], /^rx-mconn tx: give the node's address, ID@HOST:PORT, then the transaction DATA$/],
      [["tx", `${"a".repeat(40)}@127.0.0.1:26656`, "--network", "x", "--hex", "zz"], /^rx-mconn tx: DATA is not hex: "zz"$/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i];
      expect(r.code, args.join(" ")).to.equal(2);
      expect(r.stderr.trimEnd().split("\n"), args.join(" ")).to.have.length(1);
      expect(r.stderr.trimEnd(), args.join(" ")).to.match(message);
    });
    await access(home).then(
      () => expect.fail(`${home} was created`),
      (err: unknown) => expect((err as NodeJS.ErrnoException).code).to.equal("ENOENT"),
    );
  });

  it("demo: three encrypted nodes, each receiving every channel from both its peers; each figure labelled as a rate or a total", async () => {
    const r = await runCli(["demo", "--seconds", "2"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("every channel of every node received data from all 2 of its peers");
    // why each node receives what it receives
    expect(r.stdout).to.match(/^ {2}each node sends to each of its 2 peers: both saturated channels as fast as the connection takes them, and a chat line every 100 ms;$/m);
    expect(r.stdout).to.match(/^ {2}so each node receives from 2 peers, and on each connection the saturated channels share the bandwidth by priority \(blocks 4 : bulk 1\) while chat goes first$/m);
    // the per-second rows are rates over that second, labelled as such
    expect(r.stdout).to.include("what alice received in each second (from both its peers; rates over that second, not running totals):");
    const perSecond = r.stdout.split("\n").filter((l) => /^ +\d+ s {2}/.test(l));
    expect(perSecond.length, r.stdout).to.be.at.least(1);
    for (const l of perSecond)
      expect(l).to.match(/^ +\d+ s {2}chat \d+ lines\/s, latency p50 [\d.]+ ms {2}\| {2}blocks [\d.]+ [kMG]?B\/s, [\d.]+ % of the saturated bytes \(priority share 80\.0 %\) {2}\| {2}bulk [\d.]+ [kMG]?B\/s, [\d.]+ % of the saturated bytes \(priority share 20\.0 %\)$/);
    expect(r.stdout).to.match(/^summary: totals over the whole run, received by each node \(from: how many peers/m);
    const rows = r.stdout.split("\n").filter((l) => /^(alice|bob|carol)\s+0x4[012]/.test(l));
    expect(rows).to.have.length(9);
    // every node received every channel from both its peers: none is left out of the bulk traffic
    for (const row of rows) expect(row.split(/\s+/).slice(4, 6).map(Number), row).to.satisfy(([from, messages]: number[]) => from === 2 && messages > 0);
    // Drops per channel (a column of counts) and the chat's latency beside the saturated channels.
    for (const row of rows) expect(row, row).to.match(/\s\d+\s+(-|[\d.]+ ms)\s+(-|[\d.]+ ms)$/);
    expect(r.stdout).to.match(/^chat beside the saturated channels: \d+ lines, latency p50 [\d.]+ ms, p99 [\d.]+ ms, \d+ dropped$/m);
  });


  it("keygen writes a CometBFT node_key.json; id reads it back; id also reads one written as CometBFT writes it", async () => {
    const home = await mkdtemp(join(tmpdir(), "rx-mconn-cli-"));
    const made = await runCli(["keygen", "--home", home]);
    expect(made.code, made.stderr).to.equal(0);
    const idLine = made.stdout.trim();
    expect(idLine).to.match(/^[0-9a-f]{40}$/);
    const file = JSON.parse(await readFile(join(home, "config", "node_key.json"), "utf8")) as { priv_key: { type: string } };
    expect(file.priv_key.type).to.equal("tendermint/PrivKeyEd25519");
    expect((await runCli(["id", "--home", home])).stdout.trim()).to.equal(idLine);
    const again = await runCli(["keygen", "--home", home]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/exists; pass --force/);

    // A node_key.json in CometBFT's format for RFC 8032's TEST 1 key, whose ID the vectors give.
    const A = readVectors<{ sides: { A: { ed25519_seed: string; ed25519_pub: string; node_id: string } } }>("cometbft/derived-handshake.json").sides.A;
    const other = await mkdtemp(join(tmpdir(), "rx-mconn-cli-"));
    await mkdir(join(other, "config"));
    const value = Buffer.from(A.ed25519_seed + A.ed25519_pub, "hex").toString("base64");
    await writeFile(join(other, "config", "node_key.json"), JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value } }));
    expect((await runCli(["id", "--home", other])).stdout.trim()).to.equal(A.node_id);
    const missing = await runCli(["id", "--home", join(other, "nowhere")]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^rx-mconn id: the node key .*node_key\.json: no such file \(run: rx-mconn keygen\)\n$/);
  });

  it("node --echo (DEBUG=rx-mconn) sends every message back, a burst of 100 in order with nothing dropped; serves /metrics; logs each message at debug; stops cleanly on SIGTERM", async () => {
    const home = await mkdtemp(join(tmpdir(), "rx-mconn-cli-"));
    const child = startNode(["--listen", "127.0.0.1:0", "--echo", "--network", "echo-test", "--channels", "0x40:1,0x41:5", "--home", home, "--metrics", "127.0.0.1:0"], { DEBUG: "rx-mconn" });
    const entries = jsonLines(child);
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const metricsLine = logLine(child, "metrics", 20_000);
    const listening = await logLine(child, "listening", 20_000);
    const { url } = (await metricsLine) as { url: string };
    const key = generateNodeKey();
    const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "echo-test", listen: "127.0.0.1:0" });
    sw.addReactor("test", { channels: [{ id: 0x40 }, { id: 0x41, sendQueueCapacity: 100 }] });
    try {
      await sw.start();
      const addedLog = logLine(child, "peer added", 10_000);
      const peer = await sw.dial(listening["address"] as string);
      expect((await addedLog)["peer"]).to.equal(key.id);
      const echoed = firstValueFrom(sw.channel(0x41).messages$.pipe(filter((e) => e.message.length === 5000)));
      expect(await peer.send(0x41, new Uint8Array(5000).fill(9))).to.equal(true);
      const back = await within(echoed, 10_000, "the echo on channel 0x41");
      expect(Buffer.from(back.message).equals(Buffer.alloc(5000, 9))).to.equal(true);
      const metrics = await (await fetch(url)).text();
      expect(metrics).to.match(/^cometbft_p2p_peers 1$/m);
      expect(metrics).to.match(new RegExp(`cometbft_p2p_peer_receive_bytes_total\\{peer_id="${key.id}",chID="0x41"\\} 5000`));
      expect(metrics).to.match(new RegExp(`cometbft_p2p_peer_send_bytes_total\\{peer_id="${key.id}",chID="0x41"\\} 5000`));

      // A burst of 100 on a channel whose send queue on the echo's side holds 1 message.
      const burst = firstValueFrom(
        sw.channel(0x41).messages$.pipe(
          filter((e) => e.message.length === 1000),
          map((e) => e.message[0]),
          take(100),
          toArray(),
        ),
      );
      for (let i = 0; i < 100; i++) expect(peer.trySend(0x41, new Uint8Array(1000).fill(i)), `message ${i} queued`).to.equal(true);
      expect(await within(burst, 60_000, "100 echoes")).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await sw.stop();
    }
    child.kill("SIGTERM");
    expect(await within(exited, 15_000, "the node to exit after SIGTERM")).to.equal(0);
    const debug = entries.filter((e) => e["level"] === 20 && e["msg"] === "message");
    expect(debug).to.have.length(101);
    expect(debug[0]).to.include({ peer: key.id, channel: 0x41, bytes: 5000 });
    expect(entries.filter((e) => e["msg"] === "echo dropped")).to.deep.equal([]);
    expect(entries.find((e) => e["msg"] === "stopped")).to.deep.include({ echo: { echoed: 101, dropped: 0 } });
  });

  it("node --echo holds at most --echo-buffer bytes per peer: a larger message is dropped and reported at warn; --log-level warn hides info and debug even with DEBUG set", async () => {
    const home = await mkdtemp(join(tmpdir(), "rx-mconn-cli-"));
    const made = await runCli(["keygen", "--home", home]);
    const nodeId = made.stdout.trim();
    // The node logs nothing below warn, so it is not asked when it is up: it dials us (a persistent peer).
    const key = generateNodeKey();
    const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "echo-test", listen: "127.0.0.1:0" });
    sw.addReactor("test", { channels: [{ id: 0x40 }] });
    await sw.start();
    const added = nextPeerEvents(sw, "added", 1, 30_000);
    const child = startNode(["--listen", "127.0.0.1:0", "--peers", sw.address!, "--echo", "--echo-buffer", "1000", "--log-level", "warn", "--network", "echo-test", "--home", home], { DEBUG: "rx-mconn" });
    const entries = jsonLines(child);
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      const [{ peer }] = await added;
      expect(peer.id).to.equal(nodeId);
      const dropLog = logLine(child, "echo dropped", 10_000);
      const small = firstValueFrom(sw.channel(0x40).messages$.pipe(filter((e) => e.message.length === 100)));
      expect(await peer.send(0x40, new Uint8Array(5000).fill(1))).to.equal(true);
      expect(await dropLog).to.include({ peer: key.id, channel: 0x40, bytes: 5000, reason: "buffer-full", dropped: 1, bufferBytes: 1000, level: 40 });
      expect(await peer.send(0x40, new Uint8Array(100).fill(2))).to.equal(true);
      expect(Buffer.from((await within(small, 10_000, "the echo of the small message")).message).equals(Buffer.alloc(100, 2))).to.equal(true);
    } finally {
      await sw.stop();
    }
    child.kill("SIGTERM");
    expect(await within(exited, 15_000, "the node to exit after SIGTERM")).to.equal(0);
    expect(entries.filter((e) => (e["level"] as number) < 40)).to.deep.equal([]);
  });
});

/** Every JSON line `child` writes to stderr, collected as it runs. */
function jsonLines(child: ChildProcess): Array<Record<string, unknown>> {
  const entries: Array<Record<string, unknown>> = [];
  let partial = "";
  child.stderr!.on("data", (c: Buffer) => {
    const lines = (partial + c.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith("{")) entries.push(JSON.parse(line) as Record<string, unknown>);
  });
  return entries;
}
