/**
 * What keeps the process alive after the tests: sockets, servers, child processes, timers. The
 * suite's last hooks (test/setup.ts) fail the run when anything is left, naming it.
 */
import { ChildProcess } from "node:child_process";
import { Server, Socket } from "node:net";

/** The process's own standard streams: the runner writes its report through them. */
const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);

/** Resource kinds that are handles, described one by one from the handles themselves. */
const HANDLE_KINDS = new Set(["TCPSocketWrap", "TCPServerWrap", "PipeWrap", "PipeServerWrap", "TTYWrap", "UDPWrap", "ProcessWrap", "SignalWrap", "FSEventWrap", "StatWatcher"]);

/** Node's list of the handles that keep the event loop alive (not typed by @types/node). */
function activeHandles(): unknown[] {
  const list = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return list === undefined ? [] : list.call(process);
}

function address(host: string | undefined, port: number | undefined): string {
  return host === undefined ? "?" : `${host.includes(":") ? `[${host}]` : host}:${port ?? "?"}`;
}

function describeHandle(h: unknown): string {
  if (h instanceof Server) {
    const at = h.address();
    return `server listening on ${at === null ? "?" : typeof at === "string" ? at : address(at.address, at.port)}`;
  }
  if (h instanceof Socket) return `socket ${address(h.localAddress, h.localPort)} → ${address(h.remoteAddress, h.remotePort)}`;
  if (h instanceof ChildProcess) return `child process ${h.pid ?? "?"} (${h.spawnargs.join(" ")})`;
  return (h as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof h;
}

/**
 * What is open now, one description each: handles (servers, sockets, child processes, …) other
 * than the standard streams, then timers and pending requests by kind, with their count.
 */
export function openHandles(): string[] {
  const handles = activeHandles().filter((h) => !stdio.has(h)).map(describeHandle);
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (!HANDLE_KINDS.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...handles, ...[...counts].map(([kind, n]) => (kind === "Timeout" ? `${n} timer${n > 1 ? "s" : ""} (setTimeout/setInterval)` : `${n} × ${kind}`))];
}

/**
 * Waits up to `ms` for handles to close (sockets finish closing a moment after `destroy()`),
 * ignoring timers, which this wait itself uses; resolves with what is still open.
 */
export async function handlesAfterClosing(ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = openHandles().filter((d) => !d.endsWith("(setTimeout/setInterval)"));
    if (open.length === 0 || Date.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
