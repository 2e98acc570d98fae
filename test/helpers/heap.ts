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

/**
 * Resolves with the heap's growth over `baseline` once it is at most `bound` (settled after
 * collections), or with the smallest growth seen when `attempts` settlements never got there:
 * memory that is released a little late (sockets the other side is still closing) is not
 * counted as kept.
 */
export async function heapGrowthSettling(baseline: number, bound: number, attempts = 20): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < attempts; i++) {
    least = Math.min(least, (await settledHeap()) - baseline);
    if (least <= bound) return least;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return least;
}
