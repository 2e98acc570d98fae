/**
 * The `rx-mconn` binary as a Unix tool: signals end every command (a second one forces it), a
 * closed stdout ends it quietly with status 0, and every check that can fail runs before any
 * file is written or any connection made, in one line naming the option or file, with status 2
 * for usage and input errors and 1 for failures at run time. Files to read are checked first:
 * a FIFO or an oversized file in place of a key or an address book is an error, never a hang.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { buildCli, CLI_BIN, runCli, type CliRun } from "../helpers/cli.js";
import { within } from "../helpers/tcp.js";

const ID = "a".repeat(40);

/** One line on stderr matching `message`, nothing on stdout, exit status `code`. */
function expectOneLine(r: CliRun, code: number, message: RegExp): void {
  expect(r.code, r.stderr).to.equal(code);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).to.have.length(1);
  expect(r.stderr.trimEnd()).to.match(message);
}

describe("rx-mconn as a Unix tool", function () {
  this.timeout(120_000);
  let dir: string;
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  const start = (args: string[]): ChildProcess => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess) =>
    within(once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>, 30_000, `rx-mconn ${child.spawnargs.slice(2).join(" ")} to exit`);
  /** A TCP server on `host` that accepts and never says a word. */
  const silentServer = async (host: string): Promise<{ port: number; accepted: Promise<Socket> }> => {
    const server = createServer();
    servers.push(server);
    const accepted = once(server, "connection").then(([s]) => s as Socket);
    server.listen(0, host);
    await once(server, "listening");
    return { port: (server.address() as AddressInfo).port, accepted };
  };

  before(function () {
    this.timeout(180_000);
    buildCli();
    dir = mkdtempSync(join(tmpdir(), "rx-mconn-unix-"));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const server of servers.splice(0)) if (server.listening) await new Promise((resolve) => server.close(resolve));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("signals", () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      it(`the first ${signal} ends a command that is still connecting (no handler holds it)`, async () => {
        const { port, accepted } = await silentServer("127.0.0.31");
        const probe = start(["probe", `${ID}@127.0.0.31:${port}`, "--network", "x"]);
        const socket = await within(accepted, 30_000, "the probe's connection");
        probe.kill(signal);
        expect(await exited(probe)).to.deep.equal([null, signal]);
        socket.destroy();
      });

    // A second signal forcing the exit: test/unit/cli/stop-signal.test.ts (a real one races the shutdown).
    it("node stops cleanly on the first SIGTERM (status 0)", async () => {
      const listening = (child: ChildProcess) =>
        within(
          new Promise<void>((resolve) => {
            let text = "";
            child.stderr!.on("data", (c: Buffer) => {
              text += c.toString();
              if (text.includes('"msg":"listening"')) resolve();
            });
          }),
          30_000,
          "the node to listen",
        );
      const clean = start(["node", "--listen", "127.0.0.32:0", "--home", join(dir, "signals")]);
      await listening(clean);
      clean.kill("SIGTERM");
      expect(await exited(clean)).to.deep.equal([0, null]);

    });
  });

  it("a closed stdout (EPIPE) ends the command quietly with status 0", async () => {
    const demo = start(["demo", "--seconds", "30"]);
    let stderr = "";
    demo.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    await once(demo.stdout!, "data");
    demo.stdout!.destroy();
    expect(await exited(demo), stderr).to.deep.equal([0, null]);
    expect(stderr).not.to.match(/EPIPE|Error/);
  });

  describe("checks before side effects", () => {
    it("node: a listen host that does not resolve is exit 2 naming --listen, and no home is created", async () => {
      const home = join(dir, "unresolved");
      expectOneLine(await runCli(["node", "--listen", "no-such-host.invalid:0", "--home", home]), 2, /^rx-mconn node: --listen: cannot resolve host "no-such-host\.invalid"/);
      expectOneLine(await runCli(["node", "--listen", "127.0.0.1:0", "--peers", `${ID}@no-such-host.invalid:26656`, "--home", home]), 2, /^rx-mconn node: --peers: cannot resolve host/);
      expect(existsSync(home)).to.equal(false);
    });

    it("node: a bad key file is exit 2 naming the file, before anything is written or opened", async () => {
      const home = join(dir, "badkey");
      mkdirSync(join(home, "config"), { recursive: true });
      writeFileSync(join(home, "config/node_key.json"), "{}");
      expectOneLine(await runCli(["node", "--listen", "127.0.0.1:0", "--home", home, "--pex"]), 2, /^rx-mconn node: the node key .*node_key\.json: node key file has no "priv_key" object$/);
      expect(readdirSync(join(home, "config"))).to.deep.equal(["node_key.json"]);
    });

    it("blocks: a node that cannot be reached is exit 1, and --out is not created", async () => {
      const { port } = await silentServer("127.0.0.33");
      await new Promise((resolve) => servers.pop()!.close(resolve));
      const out = join(dir, "blocks-out");
      expectOneLine(await runCli(["blocks", `${ID}@127.0.0.33:${port}`, "--network", "x", "--from", "1", "--to", "2", "--out", out]), 1, /^rx-mconn blocks: could not connect to/);
      expect(existsSync(out)).to.equal(false);
      const file = join(dir, "a-file");
      writeFileSync(file, "");
      expectOneLine(await runCli(["blocks", `${ID}@127.0.0.33:${port}`, "--network", "x", "--from", "1", "--to", "2", "--out", join(file, "sub")]), 2, /^rx-mconn blocks: --out .*a-file is not a directory$/);
    });

    it("crawl: an --svg path that cannot be written is exit 2 before any node is dialed", async () => {
      const { port, accepted } = await silentServer("127.0.0.34");
      let dialed = false;
      void accepted.then((s) => {
        dialed = true;
        s.destroy();
      });
      const r = await runCli(["crawl", `${ID}@127.0.0.34:${port}`, "--network", "x", "--svg", join(dir, "nowhere", "map.svg")]);
      expectOneLine(r, 2, /^rx-mconn crawl: --svg .*map\.svg: directory .*nowhere: no such file or directory$/);
      expect(dialed).to.equal(false);
    });

    it("keygen: a home that cannot be created fails at once in one line (status 1)", async () => {
      const file = join(dir, "home-file");
      writeFileSync(file, "");
      expectOneLine(await runCli(["keygen", "--home", join(file, "home")]), 2, /^rx-mconn keygen: --home .*home-file is not a directory$/);
      if (existsSync("/proc/self")) expectOneLine(await runCli(["keygen", "--home", "/proc/rx-mconn-nope"]), 1, /^rx-mconn keygen: --home .*cannot create \/proc\/rx-mconn-nope/);
    });
  });

  describe("files are checked before they are read", () => {
    let fifo: string;
    before(() => {
      fifo = join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
    });

    it("a FIFO, /dev/zero or a 1 GB file as the key is exit 2 naming it, never a hang", async () => {
      const big = join(dir, "big.json");
      writeFileSync(big, "");
      truncateSync(big, 1024 ** 3);
      expectOneLine(await runCli(["id", "--key", fifo], 20_000), 2, /^rx-mconn id: --key .*fifo: not a regular file$/);
      expectOneLine(await runCli(["id", "--key", "/dev/zero"], 20_000), 2, /^rx-mconn id: --key \/dev\/zero: not a regular file$/);
      expectOneLine(await runCli(["id", "--key", big], 20_000), 2, /^rx-mconn id: --key .*big\.json: 1\.07 GB, more than the 65\.5 kB it may be$/);
      expectOneLine(await runCli(["id", "--key", join(dir, "missing.json")]), 2, /^rx-mconn id: --key .*missing\.json: no such file \(run: rx-mconn keygen\)$/);
    });

    it("a FIFO in place of node_key.json or addrbook.json stops node with exit 2, never a hang", async () => {
      const home = join(dir, "fifo-home");
      mkdirSync(join(home, "config"), { recursive: true });
      execFileSync("mkfifo", [join(home, "config/node_key.json")]);
      expectOneLine(await runCli(["node", "--listen", "127.0.0.1:0", "--home", home], 20_000), 2, /^rx-mconn node: the node key .*node_key\.json: not a regular file$/);
      rmSync(join(home, "config/node_key.json"));
      execFileSync("mkfifo", [join(home, "config/addrbook.json")]);
      expectOneLine(await runCli(["node", "--listen", "127.0.0.1:0", "--home", home, "--pex"], 20_000), 2, /^rx-mconn node: the address book .*addrbook\.json: not a regular file$/);
      expect(readdirSync(join(home, "config"))).to.deep.equal(["addrbook.json"]);
    });
  });
});
