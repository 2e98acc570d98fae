import { concat, from } from "rxjs";
import type { ByteDuplex } from "./byte-duplex.js";

/**
 * The same duplex, with `chunks` delivered on `incoming$` before what the duplex itself brings:
 * how a reader that took one message off the stream hands the bytes it read past the message
 * to the next layer.
 */
export function withPrefix(duplex: ByteDuplex, chunks: readonly Uint8Array[]): ByteDuplex {
  if (chunks.length === 0) return duplex;
  return {
    incoming$: concat(from(chunks), duplex.incoming$),
    drained$: duplex.drained$,
    remote: duplex.remote,
    write: (chunk) => duplex.write(chunk),
    pause: () => duplex.pause(),
    resume: () => duplex.resume(),
    end: () => duplex.end(),
    destroy: (error) => duplex.destroy(error),
  };
}
