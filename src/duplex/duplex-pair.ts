import { Observable, Subject, type SchedulerLike, type Subscriber } from "rxjs";
import type { ByteDuplex } from "./byte-duplex.js";

/** Options of {@link duplexPair}. */
export interface DuplexPairOptions {
  /**
   * Cuts every written chunk into pieces of random sizes before delivery, to prove that framing
   * never depends on how bytes are cut. The value seeds the generator (same seed, same cuts).
   */
  readonly splitSeed?: number;
  /** Bytes in flight after which `write()` returns false until the reader catches up. Default 64 KiB. */
  readonly highWaterMark?: number;
  /**
   * Delivers on this scheduler (with no delay) instead of the event loop's next turn: with a
   * `TestScheduler` the pair runs in virtual time, for marble tests without sockets.
   */
  readonly scheduler?: SchedulerLike;
}

/** A deterministic 32-bit generator (mulberry32), so that random cuts can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class PipeEnd implements ByteDuplex {
  peer!: PipeEnd;
  readonly remote: string;
  private readonly drained = new Subject<void>();
  readonly drained$ = this.drained.asObservable();
  /** Chunks written by the peer, not yet delivered to our subscriber. */
  private readonly inbox: Uint8Array[] = [];
  private inboxBytes = 0;
  private subscriber: Subscriber<Uint8Array> | undefined;
  private paused = false;
  private scheduled = false;
  private remoteEnded = false;
  private closed = false;
  /** `destroy()` was called: nothing written since is known to have left. */
  private destroyed = false;
  private wantDrain = false;
  private readonly random: (() => number) | undefined;

  constructor(
    name: string,
    private readonly highWaterMark: number,
    seed: number | undefined,
    private readonly scheduler: SchedulerLike | undefined,
  ) {
    this.remote = name;
    this.random = seed === undefined ? undefined : seededRandom(seed);
  }

  readonly incoming$ = new Observable<Uint8Array>((subscriber) => {
    this.subscriber = subscriber;
    this.schedule();
    return () => {
      this.subscriber = undefined;
    };
  });

  write(chunk: Uint8Array): boolean {
    if (this.closed) return true;
    this.peer.receive(chunk, this.random);
    const ok = this.peer.inboxBytes < this.highWaterMark;
    if (!ok) this.wantDrain = true;
    return ok;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Writes reach the peer's inbox at once: `flushed` is called now, unless destroyed. */
  end(flushed?: () => void): void {
    if (!this.destroyed) flushed?.();
    if (this.closed) return;
    this.closed = true;
    this.peer.remoteEnded = true;
    this.peer.schedule();
  }

  destroy(error?: Error): void {
    this.destroyed = true;
    if (this.closed && this.subscriber === undefined) return;
    this.closed = true;
    this.inbox.length = 0;
    this.inboxBytes = 0;
    if (error === undefined) this.subscriber?.complete();
    else this.subscriber?.error(error);
    // Like closing a TCP socket: the peer reads what was already sent, then sees the end.
    this.peer.remoteEnded = true;
    this.peer.schedule();
  }

  private receive(chunk: Uint8Array, random: (() => number) | undefined): void {
    if (this.remoteEnded) return;
    if (random === undefined || chunk.length < 2) {
      this.inbox.push(chunk);
    } else {
      let at = 0;
      while (at < chunk.length) {
        const size = 1 + Math.floor(random() * Math.min(chunk.length - at, 1500));
        this.inbox.push(chunk.subarray(at, at + size));
        at += size;
      }
    }
    this.inboxBytes += chunk.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.deliver();
    };
    if (this.scheduler === undefined) setImmediate(run);
    else this.scheduler.schedule(run);
  }

  private deliver(): void {
    const subscriber = this.subscriber;
    if (subscriber === undefined) return;
    while (!this.paused && this.inbox.length > 0 && !subscriber.closed) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while the inbox is not empty
      const chunk = this.inbox.shift()!;
      this.inboxBytes -= chunk.length;
      subscriber.next(chunk);
    }
    if (this.peer.wantDrain && this.inboxBytes < this.highWaterMark) {
      this.peer.wantDrain = false;
      this.peer.drained.next();
    }
    if (this.inbox.length === 0 && !subscriber.closed) {
      if (this.remoteEnded) subscriber.complete();
    }
  }
}

/**
 * Two connected in-memory {@link ByteDuplex} ends: what one writes, the other receives (on a
 * later turn of the event loop, as with a socket). Backpressure is modelled: `write()` returns
 * false while the reader has more than `highWaterMark` bytes undelivered, and `drained$` fires
 * once it catches up. `destroy()` on one end ends the other's `incoming$` (after what was already
 * written), as closing a socket does; `destroy(error)` errors its own `incoming$` with `error`.
 */
export function duplexPair(options: DuplexPairOptions = {}): [ByteDuplex, ByteDuplex] {
  const hwm = options.highWaterMark ?? 64 * 1024;
  const a = new PipeEnd("pair:b", hwm, options.splitSeed, options.scheduler);
  const b = new PipeEnd("pair:a", hwm, options.splitSeed === undefined ? undefined : options.splitSeed + 1, options.scheduler);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
