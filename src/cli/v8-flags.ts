/**
 * Runs a command again in a Node process with the V8 flags it runs best with, when the current
 * process lacks them. V8 reads its heap's sizes once, when the process starts
 * (`v8.setFlagsFromString` afterwards changes nothing), so a command that wants a bigger young
 * generation, as `rx-mconn simulate` does, is run in a child process given the flag.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** What {@link missingV8Flags} and {@link runWithV8Flags} read of `process`. */
export interface NodeProcess {
  readonly execPath: string;
  /** The flags given to node itself (before the script), as `process.execArgv`. */
  readonly execArgv: readonly string[];
  /** The whole command line, as `process.argv`: node, the script, then its arguments. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** A flag's name: `--max-semi-space-size=64` → `--max-semi-space-size`; `_` reads as `-`, as node reads it. */
const flagName = (flag: string): string => (flag.split("=", 1)[0] ?? flag).replaceAll("_", "-");

/**
 * The flags of `wanted` (each `--name=value`) whose name the process was not started with,
 * neither on node's command line nor in `NODE_OPTIONS`. A flag the user gave, with any value,
 * wins over the command's.
 */
export function missingV8Flags(wanted: readonly string[], proc: Pick<NodeProcess, "execArgv" | "env">): string[] {
  const given = new Set([...proc.execArgv, ...(proc.env["NODE_OPTIONS"] ?? "").split(/\s+/)].filter((a) => a.startsWith("--")).map(flagName));
  return wanted.filter((flag) => !given.has(flagName(flag)));
}

/**
 * Runs the same command line again in a child process of the same node with `flags` added,
 * standard streams shared, and resolves to the child's exit status: its code, or 128 + the
 * signal's number when a signal ended it, as a shell reports it. SIGINT and SIGTERM sent to
 * this process are passed on to the child, which decides what they do.
 */
export function runWithV8Flags(flags: readonly string[], proc: NodeProcess = process): Promise<number> {
  const script = proc.argv.at(1);
  const args = proc.argv.slice(2);
  if (script === undefined) return Promise.reject(new Error("runWithV8Flags: no script in argv"));
  const child = spawn(proc.execPath, [...flags, ...proc.execArgv, script, ...args], { stdio: "inherit", env: proc.env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve, reject) => {
    const done = () => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
    };
    child.once("error", (err) => {
      done();
      reject(err);
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
