/**
 * The `rx-mconn` binary as users run it: built with `npm run build`, started as a process.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filter, firstValueFrom } from "rxjs";
import { Switch } from "../../src/p2p/switch.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/secret/secret-authenticator.js";
import { buildCli, CLI_BIN, runCli } from "../helpers/cli.js";
import { within } from "../helpers/tcp.js";
import { readVectors } from "../helpers/vectors.js";

/** Waits for a JSON log line on `child`'s stderr with `msg`, within `ms`. */
function logLine(child: ChildProcess, msg: string, ms: number): Promise<Record<string, unknown>> {
  return within(
    new Promise((resolvePromise) => {
      let buffered = "";
      child.stderr!.on("data", (c: Buffer) => {
        buffered += c.toString();
        for (const line of buffered.split("\n")) {
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

  it("the built binary is executable and starts with a node shebang; npm pack ships it with dist/ and LICENSE, without tests or sources", async () => {
    await access(CLI_BIN, constants.X_OK);
    expect((await readFile(CLI_BIN, "utf8")).split("\n")[0]).to.equal("#!/usr/bin/env node");
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as [
      { files: Array<{ path: string; mode: number }> },
    ];
    const paths = pack.files.map((f) => f.path);
    expect(paths).to.include.members(["LICENSE", "README.md", "package.json", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js"]);
    expect(paths.filter((p) => !p.startsWith("dist/src/") && !["LICENSE", "README.md", "CHANGELOG.md", "package.json"].includes(p))).to.deep.equal([]);
    expect(paths.filter((p) => p.endsWith(".map") || (p.endsWith(".ts") && !p.endsWith(".d.ts")))).to.deep.equal([]);
    expect(pack.files.find((f) => f.path === "dist/src/cli/main.js")!.mode & 0o111).to.not.equal(0);
  });

  it("every command has --help", async () => {
    for (const c of ["demo", "keygen", "id", "node", "probe"]) {
      const r = await runCli([c, "--help"]);
      expect(r.code, c).to.equal(0);
      expect(r.stdout, c).to.match(new RegExp(`usage: rx-mconn ${c}`));
    }
  });

  it("a bad option is one clear line and a non-zero exit", async () => {
    const r = await runCli(["node"]);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal("rx-mconn node: --listen HOST:PORT is required");
    const c = await runCli(["node", "--listen", "127.0.0.1:0", "--channels", "0x40:0"]);
    expect(c.code).to.equal(2);
    expect(c.stderr.trim()).to.match(/priority of channel 0x40 must be at least 1/);
  });

  it("demo: three encrypted nodes; the summary shows every channel of every node received data", async () => {
    const r = await runCli(["demo", "--seconds", "2"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("every channel of every node received data");
    const rows = r.stdout.split("\n").filter((l) => /^(alice|bob|carol)\s+0x4[012]/.test(l));
    expect(rows).to.have.length(9);
    for (const row of rows) expect(Number(row.split(/\s+/)[4]), row).to.be.greaterThan(0);
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
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/no node key at .*run: rx-mconn keygen/);
  });

  it("node --echo sends every message back on its channel, serves /metrics, and stops cleanly on SIGTERM", async () => {
    const home = await mkdtemp(join(tmpdir(), "rx-mconn-cli-"));
    const child = spawn(
      process.execPath,
      [CLI_BIN, "node", "--listen", "127.0.0.1:0", "--echo", "--network", "echo-test", "--channels", "0x40:1,0x41:5", "--home", home, "--metrics", "127.0.0.1:0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const metricsLine = logLine(child, "metrics", 20_000);
    const listening = await logLine(child, "listening", 20_000);
    const { url } = (await metricsLine) as { url: string };
    const key = generateNodeKey();
    const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "echo-test", listen: "127.0.0.1:0" });
    sw.addReactor("test", { channels: [{ id: 0x40 }, { id: 0x41 }] });
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
    } finally {
      await sw.stop();
    }
    child.kill("SIGTERM");
    expect(await within(exited, 15_000, "the node to exit after SIGTERM")).to.equal(0);
  });
});
