import type { Observable } from "rxjs";

/**
 * A bidirectional stream of bytes: the interface every layer takes and gives.
 *
 * - `incoming$` emits chunks as they arrive, completes when the remote end closes cleanly and
 *   errors when the transport fails. It is meant to have one subscriber.
 * - `write()` hands a chunk to the transport and returns `false` when the caller should wait for
 *   `drained$` before writing more (the transport's buffer is full). Chunks passed to `write()`
 *   are owned by the duplex afterwards: the caller must not modify them.
 * - `pause()`/`resume()` stop and restart the delivery of `incoming$` (used for inbound rate
 *   limits; a paused socket stops reading, so TCP flow control pushes back on the peer).
 * - `end()` closes our side once everything written has been sent, and calls its callback once
 *   all of it was handed to the operating system; `destroy()` closes at once;
 *   `destroy(error)` also ends `incoming$` with `error` (so a layer above learns why: a write
 *   that failed below it, say), unless it has already ended.
 * - `writesSettled()`, when a duplex has it, tells the writer that every chunk written so far
 *   has been consumed (sent, or copied by the transport), so that the writer may reuse that
 *   memory for its next chunk instead of allocating a new one. A duplex that keeps references
 *   to written chunks must not offer it (or must answer `false` while it does).
 */
export interface ByteDuplex {
  /** Incoming chunks; completes on clean remote close, errors on transport failure. */
  readonly incoming$: Observable<Uint8Array>;
  /** Emits each time the transport's write buffer has drained after `write()` returned false. */
  readonly drained$: Observable<void>;
  /** Queues `chunk` for sending; `false` means: wait for `drained$` before writing more. */
  write(chunk: Uint8Array): boolean;
  /** Stops delivering `incoming$` until `resume()`. */
  pause(): void;
  /** Restarts delivery after `pause()`. */
  resume(): void;
  /**
   * Half-closes after flushing what was written; `flushed`, if given, is called once everything
   * written has left the duplex (so `destroy()` would drop nothing), and not at all if the
   * transport fails first.
   */
  end(flushed?: () => void): void;
  /** Closes at once, dropping unsent data; with `error`, `incoming$` errors with it. */
  destroy(error?: Error): void;
  /**
   * Optional: true when no chunk passed to `write()` is still referenced by the transport (all
   * were sent or copied), so the writer may overwrite their memory. Absent means "assume not".
   */
  writesSettled?(): boolean;
  /**
   * Optional, for a layer whose bytes differ from those on the wire (an encrypting layer adds
   * framing, and may read a frame that carries nothing): emits the size of each read from the
   * transport below, while `incoming$` is subscribed (subscribe to this first). Absent means
   * `incoming$`'s chunks are the wire bytes. Rate limits count these.
   */
  readonly wireReceived$?: Observable<number>;
  /**
   * Optional, as `wireReceived$`: the bytes on the wire that one `write()` of `bytes` costs.
   * Absent means `bytes`.
   */
  wireSize?(bytes: number): number;
  /** A short description of the remote end, for errors and logs (e.g. `"127.0.0.1:26656"`). */
  readonly remote: string;
}
