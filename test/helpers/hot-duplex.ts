import { Observable, NEVER } from "rxjs";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";

/** A {@link hotDuplex}, with what was written to it and whether it was destroyed. */
export interface HotDuplex extends ByteDuplex {
  readonly writes: Uint8Array[];
  readonly destroyed: boolean;
}

/**
 * A duplex whose incoming chunks are consumed once, like a socket's, but delivered
 * synchronously, as fast as possible, on every subscription: the harshest source a reader can
 * face (a reader that lets go in the middle of a burst must leave the rest for the next one).
 * `chunks` is called at the first subscription, so a scripted peer can answer what was written
 * before (the handshakes write first, then read). After the chunks, the stream completes when
 * `end` is true and stays silent (open, nothing more) otherwise.
 */
export function hotDuplex(chunks: readonly Uint8Array[] | ((writes: readonly Uint8Array[]) => readonly Uint8Array[]), end = true): HotDuplex {
  let pending: Uint8Array[] | undefined;
  const writes: Uint8Array[] = [];
  let destroyed = false;
  const incoming$ = new Observable<Uint8Array>((subscriber) => {
    pending ??= [...(typeof chunks === "function" ? chunks(writes) : chunks)];
    while (pending.length > 0 && !subscriber.closed && !destroyed) subscriber.next(pending.shift()!);
    if (subscriber.closed) return;
    if (end || destroyed) subscriber.complete();
    else return NEVER.subscribe(subscriber);
  });
  return {
    incoming$,
    drained$: NEVER,
    remote: "hot",
    writes,
    get destroyed() {
      return destroyed;
    },
    write: (chunk) => {
      writes.push(Uint8Array.from(chunk));
      return true;
    },
    pause: () => undefined,
    resume: () => undefined,
    end: () => undefined,
    destroy: () => {
      destroyed = true;
    },
  };
}

/** `data` cut at the given points (taken modulo its length + 1); no empty pieces. */
export function cutAt(data: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of at) {
    parts.push(data.subarray(prev, p));
    prev = p;
  }
  parts.push(data.subarray(prev));
  return parts.filter((p) => p.length > 0);
}
