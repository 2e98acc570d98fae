/**
 * The heap as a memory bound should read it: after forced full collections, once it has stopped
 * shrinking — not a single reading, which depends on when the collector last ran.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** One turn of the event loop's timers and I/O (sockets closing, their handles released). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `heapUsed` after full collections, taken again (a turn of the event loop between readings,
 * so that closing handles release their memory) until two readings in a row differ by less
 * than `tolerance` bytes, at most `rounds` times.
 */
export async function settledHeap(rounds = 5, tolerance = 512 * 1024): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    gc();
    await turn();
    gc();
    const now = process.memoryUsage().heapUsed;
    if (Math.abs(last - now) < tolerance) return Math.min(last, now);
    last = now;
  }
  return last;
}

/** TCP handles open in this process: listeners and sockets, counted by the runtime (no collection involved). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap").length;
}

/**
 * Resolves once at most `count` TCP handles are open: sockets the other side is still closing
 * are let finish (a turn of the event loop at a time, so their I/O runs), however long that
 * takes, before the heap is read. Nothing is timed: the test's own timeout bounds the wait.
 */
export async function tcpHandlesBackTo(count: number): Promise<void> {
  while (tcpHandles() > count) await new Promise<void>((resolve) => setImmediate(resolve));
}
