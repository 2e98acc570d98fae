/**
 * Delay-based pacing of MConnection's writes: how many bytes may sit below us (in Node's socket
 * buffer, the kernel's and the peer's) before the next write waits, measured with pings.
 * @module
 */
import type { SchedulerLike } from "rxjs";

/** Tunables of a {@link DelayPacer}. Durations in milliseconds, sizes in bytes. */
export interface PacingConfig {
  /** Queueing delay to aim at: the round trip of a ping beyond the least one seen. 0: no pacing. */
  readonly targetDelay: number;
  /** Least bytes allowed in flight (so a slow round trip still moves data). */
  readonly minWindow: number;
  /** Most bytes allowed in flight. */
  readonly maxWindow: number;
  /** Least time between two probe pings (the peer's ping-rate limit must allow 1000 / this). */
  readonly probeInterval: number;
  /**
   * Least bytes in flight worth a probe: a queue cannot build up behind less, so light traffic
   * (small messages now and then) sends no probes at all.
   */
  readonly probeThreshold: number;
  /** A probe unanswered this long is given up: the window halves and writing resumes. */
  readonly probeTimeout: number;
}

/** The pacing every MConnection gets unless configured otherwise. */
export const pacingDefaults: PacingConfig = Object.freeze({
  targetDelay: 5,
  minWindow: 128 * 1024,
  maxWindow: 64 * 1024 * 1024,
  probeInterval: 2,
  probeThreshold: 64 * 1024,
  probeTimeout: 1000,
});

/** How long each bucket of the least-round-trip history lasts, and how many are kept. */
const BASE_BUCKET_MS = 10_000;
const BASE_BUCKETS = 6;

/**
 * Keeps the bytes written but not yet known to be read by the peer ("in flight") under a window,
 * and sizes the window by queueing delay, the way LEDBAT does for a congestion window.
 *
 * The peer answers a ping only after it has read every byte written before it, so a ping written
 * right after some data (a *probe*) comes back as a pong once those bytes are read: the bytes are
 * then acknowledged, and the round trip of the probe, less the least round trip seen in the last
 * minute (the path's own delay), is the time data waited in queues. The window grows while that
 * delay is under `targetDelay` (by up to the bytes acknowledged, so at most doubling per round
 * trip) and shrinks in proportion when it is over, never below `minWindow`. One probe is out at
 * a time, at least `probeInterval` apart. Uses only the scheduler's clock.
 *
 * @example
 * const pacer = new DelayPacer(pacingDefaults, asyncScheduler);
 * const room = pacer.room();             // bytes that may be written now
 * if (pacer.wrote(n)) writePing();       // true: follow this write with a probe
 * onPong(() => { if (pacer.pong()) flushAgain(); });
 */
export class DelayPacer {
  private windowBytes: number;
  private written = 0;
  private acknowledged = 0;
  private probe: { readonly at: number; readonly covers: number } | undefined;
  private lastProbeAt = -Infinity;
  /** When the oldest probe still unanswered (given up or not) was sent. */
  private unansweredSince: number | undefined;
  private readonly leastRtt: number[] = [];
  private bucketStart = -Infinity;

  constructor(
    private readonly config: PacingConfig,
    private readonly clock: SchedulerLike,
  ) {
    this.windowBytes = Math.min(config.maxWindow, Math.max(config.minWindow, 1024 * 1024));
  }

  /** The current window (bytes allowed in flight). */
  get window(): number {
    return this.windowBytes;
  }

  /** Bytes written and not yet acknowledged by a pong. */
  get inFlight(): number {
    return this.written - this.acknowledged;
  }

  /** True while a probe awaits its pong. */
  get probing(): boolean {
    return this.probe !== undefined;
  }

  /** Bytes that may be written now (0: wait for a pong). */
  room(): number {
    return Math.max(0, this.windowBytes - this.inFlight);
  }

  /**
   * `bytes` were handed to the transport. True when a probe should follow them: none is out,
   * at least `probeThreshold` bytes are unacknowledged, and `probeInterval` has passed since
   * the last one.
   */
  wrote(bytes: number): boolean {
    this.written += bytes;
    if (this.probeDelay() !== 0) return false;
    const at = this.clock.now();
    this.probe = { at, covers: this.written };
    this.lastProbeAt = at;
    this.unansweredSince ??= at;
    return true;
  }

  /**
   * Milliseconds until a probe may be sent (0: now), or `undefined` when none is wanted (one is
   * out, or fewer than `probeThreshold` bytes are unacknowledged).
   */
  probeDelay(): number | undefined {
    if (this.probe !== undefined || this.inFlight < Math.max(1, Math.min(this.config.probeThreshold, this.windowBytes))) return undefined;
    return Math.max(0, this.lastProbeAt + this.config.probeInterval - this.clock.now());
  }

  /** Milliseconds until the probe out is given up, or `undefined` when none is out. */
  probeTimeLeft(): number | undefined {
    return this.probe === undefined ? undefined : Math.max(0, this.probe.at + this.config.probeTimeout - this.clock.now());
  }

  /**
   * A pong arrived. True when it answered the probe (its bytes are acknowledged and the window
   * resized); false when no probe was out (an answer to a keepalive ping, or unsolicited).
   * Pongs carry nothing that names their ping: one that comes late for a probe given up is
   * taken as the answer to the probe out then (its bytes count as read one probe early, until
   * the connection next goes quiet), as is one to a keepalive ping written before a probe.
   */
  pong(): boolean {
    // Any pong shows the peer reading, a late answer to a probe given up included.
    this.unansweredSince = undefined;
    const probe = this.probe;
    if (probe === undefined) return false;
    this.probe = undefined;
    const now = this.clock.now();
    const rtt = now - probe.at;
    const newlyAcknowledged = probe.covers - this.acknowledged;
    this.acknowledged = Math.max(this.acknowledged, probe.covers);
    const delay = rtt - this.noteRtt(rtt, now);
    const { targetDelay, minWindow, maxWindow } = this.config;
    if (delay > targetDelay) {
      this.windowBytes = Math.max(minWindow, this.windowBytes * Math.max(0.5, targetDelay / delay));
    } else if (this.inFlight + newlyAcknowledged >= this.windowBytes / 2) {
      // Grow only when the window was in use: an idle connection keeps what it has.
      this.windowBytes = Math.min(maxWindow, this.windowBytes + (newlyAcknowledged * (targetDelay - delay)) / targetDelay);
    }
    return true;
  }

  /**
   * Milliseconds since the oldest probe that no pong has answered yet was sent (probes given up
   * included); 0 when every probe was answered. A peer that reads nothing answers none.
   */
  unansweredFor(): number {
    return this.unansweredSince === undefined ? 0 : this.clock.now() - this.unansweredSince;
  }

  /** Gives up the probe out (never answered): everything written counts as read, window halved. */
  giveUp(): void {
    if (this.probe === undefined) return;
    this.probe = undefined;
    this.acknowledged = this.written;
    this.windowBytes = Math.max(this.config.minWindow, this.windowBytes / 2);
  }

  /** Records a round trip; returns the least one of the last minute. */
  private noteRtt(rtt: number, now: number): number {
    if (now - this.bucketStart >= BASE_BUCKET_MS || this.leastRtt.length === 0) {
      this.bucketStart = now;
      this.leastRtt.push(rtt);
      if (this.leastRtt.length > BASE_BUCKETS) this.leastRtt.shift();
    } else {
      const last = this.leastRtt.length - 1;
      this.leastRtt[last] = Math.min(this.leastRtt[last], rtt);
    }
    return Math.min(...this.leastRtt);
  }
}
