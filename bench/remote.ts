/**
 * Starts bench/peer.ts in a child process and talks to it by JSON lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

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
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (v: Record<string, unknown>) => void }[] = [];
  let buffered = "";
  child.stdout!.on("data", (c: Buffer) => {
    buffered += c.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const p of parts) {
      const o = JSON.parse(p) as Record<string, unknown>;
      const w = waiters.findIndex((x) => x.key in o);
      if (w >= 0) waiters.splice(w, 1)[0]!.resolve(o);
      else lines.push(o);
    }
  });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const i = lines.findIndex((o) => key in o);
      if (i >= 0) return resolve(lines.splice(i, 1)[0] as T);
      waiters.push({ key, resolve: resolve as (v: Record<string, unknown>) => void });
      child.once("exit", (code) => reject(new Error(`bench peer ${role} exited (${code}) before reporting ${key}`)));
    });
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
