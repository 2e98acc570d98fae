import { Observable } from "rxjs";
import type { ByteDuplex } from "./byte-duplex.js";

/**
 * The same duplex, with `chunks` delivered on `incoming$` before what the duplex itself brings:
 * how a reader that took one message off the stream hands the bytes it read past the message
 * to the next layer. Each chunk is delivered once, to whichever subscription comes first, so
 * a layer above may subscribe, unsubscribe and subscribe again without seeing a byte twice.
 */
export function withPrefix(duplex: ByteDuplex, chunks: readonly Uint8Array[]): ByteDuplex {
  if (chunks.length === 0) return duplex;
  const pending = [...chunks];
  // The held chunks, then the duplex's own stream handed the same subscriber: what `concat`
  // does, without its machinery (one of these is made per message read off a stream). A reader
  // that lets go in the middle of the held chunks leaves the rest to the next subscription.
  const incoming$ = new Observable<Uint8Array>((subscriber) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while pending is not empty
    while (pending.length > 0 && !subscriber.closed) subscriber.next(pending.shift()!);
    if (!subscriber.closed) duplex.incoming$.subscribe(subscriber);
  });
  return {
    incoming$,
    drained$: duplex.drained$,
    remote: duplex.remote,
    write: (chunk) => duplex.write(chunk),
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- present: checked in the condition of this spread
    ...(duplex.writesSettled === undefined ? {} : { writesSettled: () => duplex.writesSettled!() }),
    ...(duplex.wireReceived$ === undefined ? {} : { wireReceived$: duplex.wireReceived$ }),
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- present: checked in the condition of this spread
    ...(duplex.wireSize === undefined ? {} : { wireSize: (bytes: number) => duplex.wireSize!(bytes) }),
    pause: () => duplex.pause(),
    resume: () => duplex.resume(),
    end: (flushed) => duplex.end(flushed),
    destroy: (error) => duplex.destroy(error),
  };
}
