/**
 * The package as a user installs it: `npm pack`, then `npm install rxjs ./rx-mconn-<version>.tgz`
 * in an empty project made by `npm init -y` outside the repository (so none of the repository's
 * dev dependencies, prom-client among them, is reachable). There: every command's `--help` and
 * `--version` through the installed `rx-mconn` binary; `node --metrics` failing in one line while
 * prom-client is absent; a `node --echo` answering a plain Node.js client; then, with prom-client,
 * TypeScript and tsx installed as a user would, a TypeScript program importing every entry point
 * compiled under `strict`, `exactOptionalPropertyTypes`, `skipLibCheck: false` and
 * `module: nodenext`, `node --metrics` serving, and README's example run as written.
 *
 * npm installs with `--prefer-offline`: the packages come from npm's cache, which `npm install` in
 * the repository filled, so the test runs without the network once the repository is installed.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { packedTarball } from "../helpers/pack.js";
import { within } from "../helpers/tcp.js";

const run = promisify(execFile);
const repo = resolve(".");
const fixtures = join(repo, "test/integration/fixtures/consumer");
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
const COMMANDS = ["demo", "keygen", "id", "node", "probe", "watch", "blocks", "tx", "crawl", "simulate"];

/** A process of the consumer project and everything it printed so far. */
interface Proc {
  readonly child: ChildProcess;
  output: string;
  /** Resolves with the first match of `pattern` in the output (stdout and stderr). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

describe("the package installed from its tarball into an empty project", function () {
  this.timeout(300_000);
  let project: string;
  const procs: Proc[] = [];
  const npm = (args: string[]) => run("npm", [...args, "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
  const bin = () => join(project, "node_modules/.bin/rx-mconn");
  const cli = (args: string[]) =>
    run(bin(), args, { cwd: project, timeout: 60_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: unknown) => {
        const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
        return { code, stdout, stderr };
      },
    );
  const start = (file: string, args: string[]): Proc => {
    // Each in its own process group, so that a failed test kills it with its children.
    const child = spawn(file, args, { cwd: project, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const proc: Proc = {
      child,
      output: "",
      waitFor: (pattern) =>
        within(
          new Promise((resolvePromise) => {
            const check = () => {
              const match = pattern.exec(proc.output);
              if (match === null) return;
              child.off("output", check);
              resolvePromise(match);
            };
            child.on("output", check);
            check();
          }),
          60_000,
          `${pattern} from ${file} ${args.join(" ")}; it printed:\n${proc.output}`,
        ),
    };
    const take = (c: Buffer) => {
      proc.output += c.toString();
      child.emit("output");
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    procs.push(proc);
    return proc;
  };
  const stop = async (proc: Proc): Promise<number | null> => {
    const exited = once(proc.child, "exit");
    proc.child.kill("SIGTERM");
    const [code] = (await within(exited, 30_000, "the process to exit on SIGTERM")) as [number | null];
    return code;
  };

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "rx-mconn-user-"));
    const tarball = await packedTarball();
    await run("npm", ["init", "-y"], { cwd: project });
    await run("npm", ["pkg", "set", "type=module"], { cwd: project });
    await npm(["install", "rxjs", tarball]);
  });

  after(() => {
    for (const { child } of procs) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    rmSync(project, { recursive: true, force: true });
  });

  it("has none of the repository's dev dependencies, prom-client among them", () => {
    expect(existsSync(join(project, "node_modules/rx-mconn/dist/src/cli/main.js"))).to.equal(true);
    const present = Object.keys(manifest.devDependencies).filter((name) => name !== "rxjs" && existsSync(join(project, "node_modules", name)));
    expect(present).to.deep.equal([]);
  });

  it("runs every command's --help and --version, and rx-mconn --help and --version", async () => {
    for (const args of [["--help"], ["--version"]]) {
      const r = await cli(args);
      expect(r, args.join(" ")).to.include({ code: 0, stderr: "" });
    }
    expect((await cli(["--version"])).stdout).to.equal(`${manifest.version}\n`);
    const runs = await Promise.all(COMMANDS.map((command) => Promise.all([cli([command, "--help"]), cli([command, "--version"])])));
    runs.forEach(([help, version], i) => {
      const command = COMMANDS[i];
      expect(help, `${command} --help`).to.include({ code: 0, stderr: "" });
      expect(help.stdout, `${command} --help`).to.match(new RegExp(`usage: rx-mconn ${command}`));
      expect(version, `${command} --version`).to.deep.equal({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
    });
  });

  it("node --metrics without prom-client fails in one line saying to install it, before writing the key", async () => {
    const home = join(project, "metrics-home");
    const r = await cli(["node", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--home", home]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trimEnd().split("\n"), r.stderr).to.have.length(1);
    expect(r.stderr).to.match(/^rx-mconn node: --metrics needs prom-client.*npm install prom-client/);
    expect(existsSync(home), "the home directory").to.equal(false);
  });

  it("node --echo sends a plain Node.js client's message back", async () => {
    const node = start(bin(), ["node", "--echo", "--listen", "127.0.0.1:0", "--network", "user-test", "--home", join(project, "echo-home")]);
    const [, address] = await node.waitFor(/"address":"([0-9a-f]{40}@127\.0\.0\.1:\d+)"/);
    copyFileSync(join(fixtures, "echo-client.mjs"), join(project, "echo-client.mjs"));
    const { stdout } = await run(process.execPath, ["echo-client.mjs", address, "user-test"], { cwd: project, timeout: 60_000 });
    expect(JSON.parse(stdout.trim())).to.deep.equal({ from: address.split("@")[0], message: "echo me" });
    expect(await stop(node)).to.equal(0);
  });

  it("with prom-client, TypeScript and tsx installed: a strict TypeScript program imports every entry point, compiles and runs", async () => {
    const dev = (name: string) => `${name}@${manifest.devDependencies[name]}`;
    await npm(["install", dev("prom-client")]);
    await npm(["install", "--save-dev", dev("typescript"), dev("@types/node"), dev("tsx")]);
    for (const file of ["tsconfig.json", "app.mts"]) copyFileSync(join(fixtures, file), join(project, file));
    await run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: project }).catch((err: unknown) => {
      throw new Error(`tsc failed in the user's project:\n${(err as { stdout: string }).stdout}`);
    });
    const { stdout } = await run(process.execPath, ["out/app.mjs"], { cwd: project, timeout: 60_000 });
    expect(JSON.parse(stdout.trim())).to.deep.equal({
      exports: { operators: true, proto: true, cometbft: true, testing: true, pex: true },
      metricsServed: true,
      errors: ["filter", "subscriber"],
    });
  });

  it("with prom-client installed, node --metrics serves CometBFT's p2p metrics", async () => {
    const node = start(bin(), ["node", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--home", join(project, "metrics-home")]);
    const [, url] = await node.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/);
    await node.waitFor(/"msg":"listening"/);
    expect(await (await fetch(url)).text()).to.match(/^cometbft_p2p_peers(\{[^}]*\})? 0$/m);
    expect(await stop(node)).to.equal(0);
  });

  it("runs README's example as written, as two processes that greet each other", async () => {
    const readme = readFileSync(join(project, "node_modules/rx-mconn/README.md"), "utf8");
    const [, code] = /<!-- examples\/chat-node\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme) ?? [];
    expect(code, "README's example").to.be.a("string");
    writeFileSync(join(project, "chat-node.ts"), code);
    const npx = (args: string[]) => start("npx", ["tsx", "chat-node.ts", ...args]);
    const first = npx(["a.json", "127.0.0.1:0"]);
    const [, address] = await first.waitFor(/listening as (\S+)\n/);
    const second = npx(["b.json", "127.0.0.1:0", address]);
    await second.waitFor(/listening as /);
    await first.waitFor(/rx-mconn-[0-9a-f]{8}: hello\n/);
    await second.waitFor(new RegExp(`rx-mconn-${address.slice(0, 8)}: hello\n`));
    // Ctrl-C in a terminal: SIGINT to the process group (npx, tsx and node).
    for (const proc of [first, second]) process.kill(-proc.child.pid!, "SIGINT");
    await within(Promise.all([first, second].map((p) => once(p.child, "exit"))), 30_000, "both chat nodes to exit on SIGINT");
  });
});
