/**
 * Starts bench/peer.ts in a child process and talks to it by JSON lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jsonLines } from "./json-lines.js";

/** A running far end. */
export interface Remote {
  readonly port: number;
  /** The next JSON line the peer prints that has `key`. */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  /** Asks for the peer's RSS. */
  rss(): Promise<number>;
  stop(): void;
}

/** Spawns the peer with `role` and `args`; resolves once it listens. */
export async function remote(role: string, ...args: string[]): Promise<Remote> {
  const script = fileURLToPath(new URL("./peer.ts", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, script, role, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const next = jsonLines(child, `bench peer ${role}`);
  const { port } = await next<{ port: number }>("port");
  return {
    port,
    next,
    rss: async () => {
      child.stdin!.write("?\n");
      return (await next<{ rss: number }>("rss")).rss;
    },
    stop: () => child.kill(),
  };
}
