/**
 * Starts bench scripts in child processes and talks to them by JSON lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jsonLines } from "./json-lines.js";

/** How a bench child process is started. */
export interface ChildOptions {
  /** Node runs with `--expose-gc`, so the child can collect before it measures its memory. */
  readonly exposeGc?: boolean;
  /**
   * The open-file limit is raised to the hard limit first (`ulimit -n` in a shell that then
   * runs Node); the child finds the limit it got in `BENCH_FILE_LIMIT`.
   */
  readonly raiseFileLimit?: boolean;
  /** Variables added to the child's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Spawns `script` (a path relative to bench/) with `args`, stdout piped for JSON lines. */
export function benchChild(script: string, args: readonly string[], options: ChildOptions = {}): ChildProcess {
  const node = [...process.execArgv, ...(options.exposeGc === true ? ["--expose-gc"] : []), fileURLToPath(new URL(script, import.meta.url)), ...args];
  const stdio: ["pipe", "pipe", "inherit"] = ["pipe", "pipe", "inherit"];
  const env = { ...process.env, ...options.env };
  if (options.raiseFileLimit !== true) return spawn(process.execPath, node, { stdio, env });
  const raise = 'ulimit -n "$(ulimit -Hn)"; BENCH_FILE_LIMIT="$(ulimit -n)" exec "$0" "$@"';
  return spawn("bash", ["-c", raise, process.execPath, ...node], { stdio, env });
}

/** A running far end. */
export interface Remote {
  readonly port: number;
  /** The next JSON line the peer prints that has `key`. */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  /** Asks for the peer's RSS (after a garbage collection, when it runs with `exposeGc`). */
  rss(): Promise<number>;
  /**
   * Ends the peer (SIGTERM; SIGKILL after 5 s) and resolves once its process has exited, so that
   * the next variant does not share the cores with a far end still winding down.
   */
  stop(): Promise<void>;
}

/** Spawns bench/peer.ts with `role` and `args`; resolves once it listens. */
export async function remote(role: string, ...args: string[]): Promise<Remote> {
  return remoteWith({}, role, ...args);
}

/** {@link remote}, started with `options`. */
export async function remoteWith(options: ChildOptions, role: string, ...args: string[]): Promise<Remote> {
  const child = benchChild("./peer.ts", [role, ...args], options);
  const next = jsonLines(child, `bench peer ${role}`);
  const { port } = await next<{ port: number }>("port");
  return {
    port,
    next,
    rss: async () => {
      child.stdin!.write("?\n");
      return (await next<{ rss: number }>("rss")).rss;
    },
    stop: () => stopChild(child),
  };
}

/** Ends `child` (SIGTERM; SIGKILL after 5 s) and resolves when it has exited (at once if it never started). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill();
  });
}
