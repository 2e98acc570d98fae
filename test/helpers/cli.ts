import { execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

/** The built `rx-mconn` binary. */
export const CLI_BIN = resolve("dist/src/cli/main.js");

let built = false;

/** Builds `dist/` (the binary's code) as `npm run build` does: `scripts/build.mjs`; once per test run. */
export function buildCli(): void {
  if (built) return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  built = true;
}

/** What a finished run printed and its exit status. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the binary with `args` (and `env` added to this process's) to completion; rejects (killing
 * it) after `timeoutMs`. `onStdout` sees what it prints as it prints it.
 */
export function runCli(args: string[], timeoutMs = 60_000, env: Record<string, string> = {}, onStdout?: (printed: string) => void): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`rx-mconn ${args.join(" ")} did not finish within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
