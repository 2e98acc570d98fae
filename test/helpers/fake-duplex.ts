import { type Observable, Subject, type SchedulerLike } from "rxjs";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";

/** A scripted {@link ByteDuplex}: incoming bytes come from a given observable; writes are recorded. */
export class FakeDuplex implements ByteDuplex {
  readonly remote = "fake";
  readonly writes: { at: number; hex: string }[] = [];
  readonly drains = new Subject<void>();
  readonly drained$ = this.drains.asObservable();
  events: string[] = [];
  /** What write() answers (false: the transport's buffer is full). */
  writeReturns = true;

  constructor(
    readonly incoming$: Observable<Uint8Array>,
    private readonly scheduler: SchedulerLike,
  ) {}

  write(chunk: Uint8Array): boolean {
    this.writes.push({ at: this.scheduler.now(), hex: Buffer.from(chunk).toString("hex") });
    return this.writeReturns;
  }
  pause(): void {
    this.events.push(`pause@${this.scheduler.now()}`);
  }
  resume(): void {
    this.events.push(`resume@${this.scheduler.now()}`);
  }
  end(flushed?: () => void): void {
    this.events.push(`end@${this.scheduler.now()}`);
    flushed?.();
  }
  destroy(): void {
    this.events.push(`destroy@${this.scheduler.now()}`);
  }
}

/** Hex helper. */
export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
