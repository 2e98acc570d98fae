/**
 * The encrypted {@link ByteDuplex}: what the secret handshake hands to the MConnection.
 * @module
 */
import { defer, map, filter, Observable } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { TruncatedError } from "../errors.js";
import { FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "./frame-cipher.js";

/** The two keys of a connection, each with the counter its first frame uses (0 normally). */
export interface SecretKeys {
  readonly sendKey: Uint8Array;
  readonly recvKey: Uint8Array;
  readonly firstSendFrame?: bigint;
  readonly firstRecvFrame?: bigint;
}

/**
 * Wraps `inner` (carrying sealed frames) into a duplex of plaintext bytes. Each `write()` is
 * sealed at once into frames of ≤ 1024 data bytes, written to `inner` in one call; incoming
 * bytes are opened frame by frame, however they are cut. A frame failing authentication, an
 * oversize length or a counter running out errors `incoming$` (with a typed error, nothing of
 * that frame delivered) and destroys `inner`; the stream ending inside a frame errors it with
 * {@link TruncatedError}. `incoming$` may be re-subscribed: the state is the duplex's.
 */
export function secretDuplex(inner: ByteDuplex, keys: SecretKeys): ByteDuplex {
  const sealer = new FrameSealer(keys.sendKey, keys.firstSendFrame);
  const opener = new FrameOpener(keys.recvKey, keys.firstRecvFrame);
  let failed = false;
  const incoming$ = defer(
    () =>
      new Observable<Uint8Array>((subscriber) => {
        const sub = inner.incoming$
          .pipe(
            map((chunk) => opener.open(chunk)),
            filter((plain) => plain.length > 0),
          )
          .subscribe({
            next: (plain) => subscriber.next(plain),
            error: (err: unknown) => {
              if (!failed) {
                failed = true;
                inner.destroy(err instanceof Error ? err : undefined);
              }
              subscriber.error(err);
            },
            complete: () => {
              if (opener.pending > 0)
                subscriber.error(new TruncatedError(`stream ended inside a sealed frame (${opener.pending} of ${FRAME_SEALED_SIZE} bytes)`));
              else subscriber.complete();
            },
          });
        return () => sub.unsubscribe();
      }),
  );
  return {
    incoming$,
    drained$: inner.drained$,
    remote: inner.remote,
    write(chunk) {
      if (chunk.length === 0) return true;
      let sealed: Buffer;
      try {
        sealed = sealer.seal(chunk);
      } catch (err) {
        inner.destroy(err as Error);
        return true;
      }
      return inner.write(sealed);
    },
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    end: () => inner.end(),
    destroy: (error) => inner.destroy(error),
  };
}
