/**
 * The encrypted {@link ByteDuplex}: what the secret handshake hands to the MConnection.
 * @module
 */
import { defer, Observable } from "rxjs";
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
 * oversize length or a counter running out errors `incoming$` (with a typed error, after the
 * data of the good frames before it, nothing of the bad one) and destroys `inner`; the stream ending inside a frame errors it with
 * {@link TruncatedError}. `incoming$` may be re-subscribed: the state is the duplex's.
 */
export function secretDuplex(inner: ByteDuplex, keys: SecretKeys): ByteDuplex {
  const sealer = new FrameSealer(keys.sendKey, keys.firstSendFrame);
  const opener = new FrameOpener(keys.recvKey, keys.firstRecvFrame);
  let failed = false;
  const incoming$ = defer(
    () =>
      new Observable<Uint8Array>((subscriber) => {
        const fail = (err: unknown) => {
          // Report first: destroying `inner` may end its stream, which must not be read as a
          // clean end.
          subscriber.error(err);
          if (!failed) {
            failed = true;
            inner.destroy(err instanceof Error ? err : undefined);
          }
        };
        return inner.incoming$.subscribe({
          next: (chunk) => {
            // The frames before a bad one are authentic: deliver them, then fail.
            const { data, error } = opener.openUntilError(chunk);
            if (data.length > 0) subscriber.next(data);
            if (error !== undefined) fail(error);
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            if (subscriber.closed) return;
            if (opener.pending > 0)
              subscriber.error(new TruncatedError(`stream ended inside a sealed frame (${opener.pending} of ${FRAME_SEALED_SIZE} bytes)`));
            else subscriber.complete();
          },
        });
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
