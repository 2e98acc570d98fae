import { asyncScheduler, defer, filter, firstValueFrom, map, take, throwError, throwIfEmpty, timeout, type SchedulerLike } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { withPrefix } from "../duplex/with-prefix.js";
import { TruncatedError } from "./errors.js";
import { UvarintReader } from "./uvarint.js";

/** What {@link readDelimited} returns: the message, and the stream after it. */
export interface DelimitedRead {
  /** The message body (without its length prefix), in a buffer of its own. */
  readonly message: Uint8Array;
  /** The duplex, continuing with the bytes that followed the message. */
  readonly rest: ByteDuplex;
}

/** Options of {@link readDelimited}. */
export interface ReadDelimitedOptions {
  /** Largest body accepted; a longer prefix is rejected before anything is buffered for it. */
  readonly maxSize: number;
  /** Give up after this many ms (with the error `onTimeout` makes). */
  readonly timeout?: number;
  readonly onTimeout?: () => Error;
  readonly scheduler?: SchedulerLike;
}

/**
 * Reads one uvarint length-prefixed message off `duplex.incoming$` and hands back the rest of
 * the stream: the source is released as soon as the message is complete, even in the middle of
 * a synchronous burst of chunks, so `rest` starts exactly after the message. Errors:
 * {@link PacketTooLargeError}, {@link MalformedPacketError} (prefix overflow),
 * {@link TruncatedError} (the stream ended first), the source's errors, or the timeout's.
 */
export function readDelimited(duplex: ByteDuplex, options: ReadDelimitedOptions): Promise<DelimitedRead> {
  const { maxSize } = options;
  // Operators, not a hand-made subscription: `take(1)` lets go of the source as soon as the
  // message is complete, even while the source is still emitting synchronously, so the chunks
  // after it stay in the stream for the next reader instead of being swallowed here.
  const read$ = defer(() => {
    const chunks: Uint8Array[] = [];
    let buffered = 0;
    const reader = new UvarintReader(maxSize, "length prefix");
    const tryTake = (): DelimitedRead | undefined => {
      // Parse the prefix across the chunks held.
      reader.reset();
      let prefix = 0;
      for (const c of chunks) {
        if (reader.read(c, 0, c.length) >= 0) {
          prefix = reader.size;
          break;
        }
      }
      const length = reader.value;
      if (prefix === 0 || buffered < prefix + length) return undefined;
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const message = all.subarray(prefix, prefix + length);
      const leftover = all.subarray(prefix + length);
      return { message, rest: withPrefix(duplex, leftover.length > 0 ? [leftover] : []) };
    };
    return duplex.incoming$.pipe(
      map((chunk) => {
        chunks.push(chunk);
        buffered += chunk.length;
        return tryTake();
      }),
      filter((read): read is DelimitedRead => read !== undefined),
      take(1),
      throwIfEmpty(() => new TruncatedError(`stream ended after ${buffered} bytes, inside a length-prefixed message`)),
    );
  });
  const limited =
    options.timeout === undefined
      ? read$
      : read$.pipe(
          timeout({
            first: options.timeout,
            scheduler: options.scheduler ?? asyncScheduler,
            with: () => throwError(options.onTimeout ?? (() => new TruncatedError("timed out reading a message"))),
          }),
        );
  return firstValueFrom(limited);
}
