/**
 * MConnection's writer side of the outbound path: owed control packets first, then what the
 * outbound scheduler answers to its demand (the room in the write buffer and the pacing window),
 * one write per flush, within the send rate.
 * @module
 */
import type { SchedulerLike, Subscription } from "rxjs";
import { WriteStallError } from "./errors.js";
import { PING, PONG, type Packet } from "../wire/packet.js";
import type { OutboundBatch, scheduleOutbound } from "./schedule-outbound.js";
import type { DelayPacer } from "./delay-pacer.js";
import type { PacketWriter, StallOptions } from "./packet-writer.js";
import type { TokenBucket } from "./token-bucket.js";

/** What a {@link Flusher} draws from and writes to. */
export interface FlusherOptions {
  /**
   * Asks the outbound scheduler ({@link scheduleOutbound}) for up to `bytes` of packets: its
   * answer, given at once.
   */
  readonly pull: (bytes: number) => OutboundBatch;
  readonly writer: PacketWriter;
  /** Outbound rate limit (bytes on the wire); a flush waits on `scheduler` when it is spent. */
  readonly sendBucket: TokenBucket;
  /** Most bytes gathered into one write (more may follow in the next flush). */
  readonly writeBufferSize: number;
  /** Timers (the wait for send-rate tokens). */
  readonly scheduler: SchedulerLike;
  /** Where the first flush of a turn of the event loop runs (e.g. a microtask: at once). */
  readonly flushScheduler: SchedulerLike;
  /**
   * Where any later flush of the same turn runs, and what ends a turn: a macrotask, so that a
   * connection with more to write lets timers and other sockets run between its writes.
   */
  readonly yieldScheduler: SchedulerLike;
  /** Told of the control packets each write carried, in order. */
  readonly onControlWritten: (packet: Packet) => void;
  /**
   * Bounds the bytes below us by queueing delay (see {@link DelayPacer}): data waits while its
   * window is full, and a probe ping follows the writes it asks for. None: no bound.
   */
  readonly pacer?: DelayPacer;
  /**
   * With a pacer: when its probes stay unanswered for `timeout` (the peer reads nothing, so
   * pacing keeps the socket from ever filling), `onStall` is told, as the writer tells of a
   * full transport.
   */
  readonly stall?: Pick<StallOptions, "timeout" | "onStall">;
}

/**
 * Gathers what is owed into writes. `kick()` schedules a flush (once, however many callers ask
 * before it runs); the flush writes one buffer of owed pings and pongs followed by the packets
 * `pull()` answers to its demand (the rest of `writeBufferSize`, within the pacing window), and schedules the next flush while packets
 * remain. Nothing is written while the writer waits for the duplex to drain (`kick()` again on
 * drain) or while the send rate has no tokens (a timer kicks when it has).
 *
 * Fair to the event loop: only the first flush of a turn runs on `flushScheduler` (immediate:
 * the latency of a lone message); every further flush in that turn — the continuation of a
 * flush that filled its buffer, or the flush a sender looping on `await send()` asks for — runs
 * on `yieldScheduler`, after the timers and I/O of the turn. A turn ends when `yieldScheduler`
 * next runs.
 *
 * ```
 * a flush fills the buffer at frame 0 (flushScheduler: the test scheduler;
 * yieldScheduler: the next frame)
 * writes:  w-w-w-(w|)     one full buffer per turn, the rest in the last one
 * ```
 */
export class Flusher {
  private pingOwed = false;
  private pongsOwed = 0;
  private scheduled = false;
  private task: Subscription | undefined;
  /** A flush wrote in this turn (until `yieldScheduler` runs `turnEnd`). */
  private turnFlushed = false;
  private turnEnd: Subscription | undefined;
  private rateTimer: Subscription | undefined;
  private pacerTimer: Subscription | undefined;
  private unpaced = false;
  private stopped = false;
  /** A flush is running: a `kick()` from inside it (a sender admitted as it releases memory) waits for its end. */
  private flushing = false;
  private kickedWhileFlushing = false;
  private onEmptied: (() => void) | undefined;

  constructor(private readonly options: FlusherOptions) {}

  /** Our ping is due: it leads the next write. */
  owePing(): void {
    this.pingOwed = true;
    this.kick();
  }

  /** The peer's ping is to be answered: a pong leads the next write. */
  owePong(): void {
    this.pongsOwed++;
    this.kick();
  }

  /**
   * A pong arrived: if it answered the pacer's probe, writing may go on.
   */
  pong(): void {
    if (this.options.pacer?.pong() !== true) return;
    this.pacerTimer?.unsubscribe();
    this.pacerTimer = undefined;
    this.kick();
  }

  /**
   * Writes on without the pacer from now on: the peer can no longer answer a probe (it has
   * half-closed its side).
   */
  unpace(): void {
    this.unpaced = true;
    this.pacerTimer?.unsubscribe();
    this.pacerTimer = undefined;
    this.kick();
  }

  /** Schedules a flush unless one is scheduled, the writer waits for a drain, or stopped. */
  kick(): void {
    if (this.flushing) {
      this.kickedWhileFlushing = true;
      return;
    }
    if (this.scheduled || this.stopped || !this.options.writer.writable) return;
    this.scheduled = true;
    const { flushScheduler, yieldScheduler } = this.options;
    this.task = (this.turnFlushed ? yieldScheduler : flushScheduler).schedule(this.scheduledFlush);
  }

  /** The scheduled flush's work, made once (a connection schedules one for each turn it writes in). */
  private readonly scheduledFlush = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** The end of a turn in which a flush wrote, made once. */
  private readonly endTurn = (): void => {
    this.turnFlushed = false;
  };

  /** Flushes until nothing is left to write, then calls `onEmptied` (once). */
  finish(onEmptied: () => void): void {
    this.onEmptied = onEmptied;
    this.kick();
  }

  /** Cancels every timer and scheduled flush; nothing is written afterwards. */
  stop(): void {
    this.stopped = true;
    this.task?.unsubscribe();
    this.turnEnd?.unsubscribe();
    this.rateTimer?.unsubscribe();
    this.pacerTimer?.unsubscribe();
  }

  /** One flush; a kick from inside it is taken once it has marked the turn (so it yields). */
  private flush(): void {
    this.flushing = true;
    try {
      this.flushOnce();
    } finally {
      this.flushing = false;
      if (this.kickedWhileFlushing) {
        this.kickedWhileFlushing = false;
        this.kick();
      }
    }
  }

  private flushOnce(): void {
    const { writer, sendBucket, writeBufferSize } = this.options;
    if (this.stopped || !writer.writable) return;
    let packets: Packet[] = [];
    let bytes = 0;
    if (this.pingOwed) {
      packets.push(PING);
      bytes += 3;
      this.pingOwed = false;
    }
    for (; this.pongsOwed > 0; this.pongsOwed--) {
      packets.push(PONG);
      bytes += 3;
    }
    const controls = packets.length;
    const pacer = this.unpaced ? undefined : this.options.pacer;
    let more = false;
    let paced = false;
    let probed = false;
    const wait = sendBucket.wait();
    if (wait > 0) {
      this.rateTimer ??= this.options.scheduler.schedule(() => {
        this.rateTimer = undefined;
        this.kick();
      }, wait);
    } else {
      const limit = pacer === undefined ? writeBufferSize : Math.min(writeBufferSize, bytes + pacer.room());
      const batch = this.options.pull(Math.max(0, limit - bytes));
      // The scheduler's array is ours once answered: written as it is when no control packet leads.
      if (packets.length === 0 && batch.packets.length > 0) packets = batch.packets;
      else for (const p of batch.packets) packets.push(p);
      bytes += batch.bytes;
      // Another flush only if the write buffer filled up before the queues emptied.
      more = batch.more;
      if (pacer !== undefined) {
        probed = pacer.wrote(bytes);
        if (probed) {
          packets.push(PING);
          bytes += 3;
        }
        paced = more && pacer.room() === 0;
        if (paced) this.awaitPacer(pacer);
      }
    }
    if (packets.length === 0) {
      const onEmptied = this.onEmptied;
      if (wait === 0 && !more && onEmptied !== undefined) {
        this.onEmptied = undefined;
        onEmptied();
      }
      return;
    }
    if (!this.turnFlushed) {
      this.turnFlushed = true;
      this.turnEnd = this.options.yieldScheduler.schedule(this.endTurn);
    }
    sendBucket.spend(writer.wireSize(bytes));
    writer.write(packets, bytes);
    for (let i = 0; i < controls; i++) this.options.onControlWritten(packets[i]);
    if (probed) this.options.onControlWritten(PING);
    if (!paced && (more || this.onEmptied !== undefined)) this.kick();
  }

  /**
   * The pacer's window is full: a timer to send the probe it still needs (when `probeInterval`
   * allows) or to give up the one out (`probeTimeout`); its pong ends the wait sooner.
   */
  private awaitPacer(pacer: DelayPacer): void {
    if (this.pacerTimer !== undefined) return;
    const giveUp = pacer.probeTimeLeft();
    const probeIn = pacer.probeDelay();
    const delay = giveUp ?? probeIn;
    if (delay === undefined) return;
    this.pacerTimer = this.options.scheduler.schedule(() => {
      this.pacerTimer = undefined;
      if (giveUp !== undefined) {
        pacer.giveUp();
        const stall = this.options.stall;
        if (stall !== undefined && pacer.unansweredFor() >= stall.timeout) {
          stall.onStall(new WriteStallError(stall.timeout));
          return;
        }
      }
      this.kick();
    }, delay);
  }
}
