/**
 * One pause of a duplex's reading shared by everyone who needs it: the inbound rate limit and
 * consumers that cannot keep up. Reading stops while anyone holds the gate and resumes when the
 * last hold is released.
 * @module
 */
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import type { ReadingDuplex } from "./limit-incoming.js";

/**
 * Reference-counted pausing of `duplex`'s reading. `hold()` stops reading (the socket stops
 * reading, so TCP flow control pushes back on the peer) until every hold is released;
 * {@link ReadGate.duplex} is the duplex's reading side whose `pause()`/`resume()` take and
 * release one hold, for code written against a plain duplex (the rate limit).
 *
 * ```
 * holds:   rate limit  ──[────]──────────
 *          consumer    ────[────────]────
 * duplex:  reading ────┘ paused     └──── reading
 * ```
 */
export class ReadGate {
  /** `duplex`'s reading side, with `pause()`/`resume()` counted as one hold of this gate. */
  readonly duplex: ReadingDuplex;
  private holds = 0;

  constructor(private readonly inner: ByteDuplex) {
    this.duplex = new GatedReading(this, inner);
  }

  /** True while someone holds the gate. */
  get paused(): boolean {
    return this.holds > 0;
  }

  /** Stops reading until the returned function is called (calling it again does nothing). */
  hold(): () => void {
    if (this.holds++ === 0) this.inner.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.inner.resume();
    };
  }
}

/** A duplex's reading side whose `pause()` takes one hold of a {@link ReadGate} and `resume()` releases it. */
class GatedReading implements ReadingDuplex {
  private release: (() => void) | undefined;

  constructor(
    private readonly gate: ReadGate,
    private readonly inner: ByteDuplex,
  ) {}

  get incoming$(): ByteDuplex["incoming$"] {
    return this.inner.incoming$;
  }

  get wireReceived$(): ByteDuplex["wireReceived$"] {
    return this.inner.wireReceived$;
  }

  pause(): void {
    this.release ??= this.gate.hold();
  }

  resume(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}
