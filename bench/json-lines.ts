/**
 * Reading a child process that reports by JSON lines on stdout (the bench's far ends).
 */
import type { ChildProcess } from "node:child_process";

/** A child speaking JSON lines on stdout: the next line with a given key. */
export function jsonLines(child: ChildProcess, name: string): <T>(key: string) => Promise<T> {
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let buffered = "";
  let exited: Error | undefined;
  child.stdout!.on("data", (c: Buffer) => {
    buffered += c.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const p of parts) {
      const o = JSON.parse(p) as Record<string, unknown>;
      const w = waiters.findIndex((x) => x.key in o);
      if (w >= 0) waiters.splice(w, 1)[0].resolve(o);
      else lines.push(o);
    }
  });
  const onEnd = (why: string) => {
    exited ??= new Error(`${name} ${why}`);
    for (const w of waiters.splice(0)) w.reject(exited);
  };
  child.once("exit", (code, signal) => onEnd(`exited (${signal ?? code}) early`));
  child.once("error", (e) => onEnd(`failed: ${e.message}`));
  return <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const i = lines.findIndex((o) => key in o);
      if (i >= 0) { resolve(lines.splice(i, 1)[0] as T); return; }
      if (exited) { reject(exited); return; }
      waiters.push({ key, resolve: resolve as (v: Record<string, unknown>) => void, reject });
    });
}
