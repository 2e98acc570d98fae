import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { missingV8Flags } from "../../src/cli/v8-flags.js";

const fixture = fileURLToPath(new URL("./fixtures/v8-flags-child.ts", import.meta.url));

/** Runs the fixture in a fresh node (through tsx), collecting stdout; `onOut` sees each chunk. */
async function runFixture(mode: string, env: NodeJS.ProcessEnv = process.env, onOut?: (text: string, pid: number) => void) {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    onOut?.(stdout, child.pid ?? 0);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** The CLI's run of a command with the V8 flags it asks for (`rx-mconn simulate`'s young generation). */
describe("the CLI's V8 flags for a command", function () {
  this.timeout(60_000);

  it("names the flags the process was not started with, by name, from node's flags and NODE_OPTIONS", () => {
    const wanted = ["--max-semi-space-size=64", "--stack-size=2000"];
    expect(missingV8Flags(wanted, { execArgv: [], env: {} })).to.deep.equal(wanted);
    expect(missingV8Flags(wanted, { execArgv: ["--max-semi-space-size=16"], env: {} })).to.deep.equal(["--stack-size=2000"]);
    expect(missingV8Flags(wanted, { execArgv: [], env: { NODE_OPTIONS: "--enable-source-maps  --max_semi_space_size=8" } })).to.deep.equal(["--stack-size=2000"]);
    expect(missingV8Flags(wanted, { execArgv: ["--import", "tsx", "--stack-size=900"], env: { NODE_OPTIONS: "--max-semi-space-size=32" } })).to.deep.equal([]);
  });

  it("runs the command again with the flag, keeping node's own flags, and exits with the child's code", async () => {
    const r = await runFixture("exit");
    expect(r.code, r.stderr).to.equal(3);
    const seen = JSON.parse(r.stdout) as { execArgv: string[]; youngMiB: number };
    expect(seen.execArgv[0]).to.equal("--max-semi-space-size=64");
    expect(seen.execArgv).to.include("tsx");
    // without the flag, node 20's young generation stops at 2 × 16 MiB
    expect(seen.youngMiB).to.be.above(32);
  });

  it("leaves a flag the user set alone: no second process", async () => {
    const r = await runFixture("exit", { ...process.env, NODE_OPTIONS: `${process.env["NODE_OPTIONS"] ?? ""} --max-semi-space-size=16` });
    expect(r.code, r.stderr).to.equal(3);
    const seen = JSON.parse(r.stdout) as { execArgv: string[]; youngMiB: number };
    expect(seen.execArgv).to.not.include("--max-semi-space-size=64");
    expect(seen.youngMiB).to.be.at.most(32);
  });

  it("reports a child a signal ended as a shell does (128 + its number)", async () => {
    const r = await runFixture("signal");
    expect([r.code, r.signal], r.stderr).to.deep.equal([143, null]);
  });

  it("passes SIGTERM sent to it on to the child", async () => {
    let sent = false;
    const r = await runFixture("wait", process.env, (out, pid) => {
      if (!sent && out.includes("ready")) {
        sent = true;
        process.kill(pid, "SIGTERM");
      }
    });
    expect(sent).to.equal(true);
    expect([r.code, r.signal], r.stderr).to.deep.equal([143, null]);
  });
});
