import { Observable, type SchedulerLike, type Subscription } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { TokenBucket } from "./token-bucket.js";

/** The reading side of a duplex: all that the inbound path uses. */
export type ReadingDuplex = Pick<ByteDuplex, "incoming$" | "wireReceived$" | "pause" | "resume">;

/**
 * The duplex's incoming bytes, held to `rate` bytes per second by pausing it. What is counted
 * is the bytes on the wire: the duplex's `wireReceived$` when it has one (an encrypted duplex
 * reports its sealed frames, those that carry nothing included), else its chunks. When a read
 * overdraws the budget the duplex is paused (a socket then stops reading, and TCP flow control
 * slows the peer) and resumed once the budget has refilled. Rate 0 passes everything through.
 *
 * ```
 * rate 1000 B/s, burst 1000; chunks of 1000 B (1 frame = 1 ms)
 * duplex:   ab.............            (a and b offered at once)
 * result:   a-- ... --b                (b waits 1000 ms: the duplex is paused meanwhile)
 * ```
 */
export function limitIncoming(duplex: ReadingDuplex, bucket: TokenBucket, scheduler: SchedulerLike): Observable<Uint8Array> {
  if (bucket.unlimited) return duplex.incoming$;
  return new Observable<Uint8Array>((subscriber) => {
    let resumeTimer: Subscription | undefined;
    const spend = (bytes: number) => {
      bucket.spend(bytes);
      const wait = bucket.wait();
      if (wait <= 0) return;
      // A chunk that arrives while paused (already in flight) pushes the resume further out.
      if (resumeTimer === undefined) duplex.pause();
      else resumeTimer.unsubscribe();
      resumeTimer = scheduler.schedule(() => {
        resumeTimer = undefined;
        duplex.resume();
      }, wait);
    };
    // The bytes on the wire when the duplex reports them (sealed frames, empty ones included).
    const wire = duplex.wireReceived$?.subscribe(spend);
    const inner = duplex.incoming$.subscribe({
      next: (chunk) => {
        subscriber.next(chunk);
        if (wire === undefined) spend(chunk.length);
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      resumeTimer?.unsubscribe();
      wire?.unsubscribe();
      inner.unsubscribe();
    };
  });
}
