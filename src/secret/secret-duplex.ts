/**
 * The encrypted {@link ByteDuplex}: what the secret handshake hands to the MConnection.
 * @module
 */
import { defer, Observable, Subject } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { TruncatedError } from "../wire/errors.js";
import { FRAME_DATA_MAX, FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "./frame-cipher.js";

/** The two keys of a connection, each with the counter its first frame uses (0 normally). */
export interface SecretKeys {
  readonly sendKey: Uint8Array;
  readonly recvKey: Uint8Array;
  readonly firstSendFrame?: bigint;
  readonly firstRecvFrame?: bigint;
}

/**
 * Wraps `inner` (carrying sealed frames) into a duplex of plaintext bytes. Each `write()` is
 * sealed at once into frames of ≤ 1024 data bytes, written to `inner` in one call (into the
 * memory of the previous write's frames when `inner.writesSettled()` says it is free); incoming
 * bytes are opened frame by frame, however they are cut. A frame failing authentication, an
 * oversize length or a counter running out errors `incoming$` (with a typed error, after the
 * data of the good frames before it, nothing of the bad one) and destroys `inner`; the stream ending inside a frame errors it with
 * {@link TruncatedError}. A run of 100 empty frames errors it with an `EmptyFramesError`, as
 * CometBFT's reader does. The bytes read and written on `inner` are reported through
 * `wireReceived$` and `wireSize`, so that rate limits above count sealed frames, not plaintext.
 * `incoming$` may be re-subscribed: the state is the duplex's, and what
 * was opened after one subscriber let go (in a synchronous burst) goes to the next one.
 */
export function secretDuplex(inner: ByteDuplex, keys: SecretKeys): ByteDuplex {
  const sealer = new FrameSealer(keys.sendKey, keys.firstSendFrame);
  const opener = new FrameOpener(keys.recvKey, keys.firstRecvFrame);
  let failed = false;
  // What arrived while no one was reading: a reader that lets go in the middle of a synchronous
  // burst of chunks (e.g. after taking one message) leaves the rest to the next subscriber.
  const unread: Uint8Array[] = [];
  let ending: { error: unknown } | { complete: true } | undefined;
  // The inner layer's wire bytes when it reports them (it adds framing of its own), else its chunks'.
  const wire = new Subject<number>();
  const incoming$ = defer(
    () =>
      new Observable<Uint8Array>((subscriber) => {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while unread is not empty
        while (unread.length > 0 && !subscriber.closed) subscriber.next(unread.shift()!);
        if (ending !== undefined) {
          if ("error" in ending) subscriber.error(ending.error);
          else subscriber.complete();
          return;
        }
        const end = (how: { error: unknown } | { complete: true }) => {
          if (subscriber.closed) ending ??= how;
          else if ("error" in how) subscriber.error(how.error);
          else subscriber.complete();
        };
        const fail = (err: unknown) => {
          // Report first: destroying `inner` may end its stream, which must not be read as a
          // clean end.
          end({ error: err });
          if (!failed) {
            failed = true;
            inner.destroy(err instanceof Error ? err : undefined);
          }
        };
        const innerWire = inner.wireReceived$?.subscribe((n) => wire.next(n));
        const reading = inner.incoming$.subscribe({
          next: (chunk) => {
            if (failed) return;
            if (innerWire === undefined) wire.next(chunk.length);
            // The frames before a bad one are authentic: deliver them, then fail.
            const { data, error } = opener.openUntilError(chunk);
            if (data.length > 0) {
              if (subscriber.closed) unread.push(data);
              else subscriber.next(data);
            }
            if (error !== undefined) fail(error);
          },
          error: (err: unknown) => end({ error: err }),
          complete: () => {
            if (failed) return;
            if (opener.pending > 0)
              end({ error: new TruncatedError(`stream ended inside a sealed frame (${opener.pending} of ${FRAME_SEALED_SIZE} bytes)`) });
            else end({ complete: true });
          },
        });
        return () => {
          innerWire?.unsubscribe();
          reading.unsubscribe();
        };
      }),
  );
  return {
    incoming$,
    drained$: inner.drained$,
    remote: inner.remote,
    wireReceived$: wire.asObservable(),
    wireSize: (bytes) => {
      const sealed = Math.ceil(bytes / FRAME_DATA_MAX) * FRAME_SEALED_SIZE;
      return inner.wireSize?.(sealed) ?? sealed;
    },
    write(chunk) {
      if (chunk.length === 0) return true;
      let sealed: Buffer;
      try {
        // When the transport holds none of our earlier output, the next frames are sealed into
        // the same memory (no allocation, and views of it made once).
        sealed = sealer.seal(chunk, inner.writesSettled?.() === true);
      } catch (err) {
        inner.destroy(err as Error);
        return true;
      }
      return inner.write(sealed);
    },
    // Each chunk is sealed (copied) before write() returns: never referenced afterwards.
    writesSettled: () => true,
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    end: (flushed) => inner.end(flushed),
    destroy: (error) => inner.destroy(error),
  };
}
