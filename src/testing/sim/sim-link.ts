/**
 * A simulated TCP connection: two {@link ByteDuplex} ends joined through a link model. Each
 * direction is a FIFO: a chunk leaves once the sender's earlier chunks are serialised at the
 * link's bandwidth, and arrives one latency (plus jitter, never overtaking an earlier chunk)
 * later. While the path between the two hosts is cut, arrivals wait (as TCP retransmits) and
 * follow one latency after the cut heals; a crashed host's connections deliver nothing, ever.
 * Backpressure as a socket's: `write()` returns false once more than `highWaterMark` bytes are
 * in flight or unread, and `drained$` fires when the reader catches up.
 * @module
 */
import { Observable, Subject, type Subscriber } from "rxjs";
import type { ByteDuplex } from "../../duplex/byte-duplex.js";
import { TransportError } from "../../duplex/errors.js";
import type { SimRandom } from "./random.js";
import type { VirtualClock } from "./virtual-clock.js";

/** The model of the links between simulated hosts. */
export interface LinkModel {
  /** One-way delay in ms, before jitter (default 50). */
  readonly latency: number;
  /** Up to this many ms added to each chunk's delay, uniformly (default 10); order is kept. */
  readonly jitter: number;
  /** Bytes per second each direction of a connection carries (default 12 500 000: 100 Mbit/s). */
  readonly bandwidth: number;
  /** Share of dials lost (the dial times out), in [0, 1] (default 0). */
  readonly loss: number;
  /** Most open connections per host, inbound and outbound together (default 1000); past it, dials are refused. */
  readonly maxConnections: number;
}

/** Defaults of {@link LinkModel}. */
export const linkDefaults: LinkModel = Object.freeze({ latency: 50, jitter: 10, bandwidth: 12_500_000, loss: 0, maxConnections: 1000 });

/** What the ends of a link ask of the network they run in. */
interface LinkPath {
  /** True while the path between the two hosts is cut (a partition). */
  cut(): boolean;
  /** True once either host crashed (the link is severed): nothing is delivered any more. */
  dead(): boolean;
  /** Called when an arrival waits for the cut to heal. */
  waiting(resume: () => void): void;
  /** Both ends are closed: the hosts no longer count the connection. */
  closed(): void;
}

const END = Symbol("end");
/** What travels a direction: bytes, the end of stream, or a signal run on arrival (a TCP ACK). */
type Item = { at: number; chunk: Uint8Array | typeof END | (() => void) };

/** One direction of a link, from `from` to `to`. */
class Direction {
  private readonly queue: Item[] = [];
  private head = 0;
  private busyUntil = 0;
  private lastArrival = 0;
  private scheduled = false;
  private held = false;
  /** Bytes written and not yet read by the receiver. */
  bytes = 0;

  constructor(
    private readonly link: SimLink,
    readonly to: LinkEnd,
  ) {}

  send(chunk: Item["chunk"]): void {
    const { clock, model, random } = this.link;
    const now = clock.now();
    const size = chunk instanceof Uint8Array ? chunk.length : 0;
    const start = Math.max(now, this.busyUntil);
    this.busyUntil = start + (size * 1000) / model.bandwidth;
    const at = Math.max(this.lastArrival, Math.round(this.busyUntil + this.link.latency + random.next() * model.jitter));
    this.lastArrival = at;
    this.bytes += size;
    this.queue.push({ at, chunk });
    this.arm();
  }

  /** Schedules the delivery of the head of the queue. */
  private arm(): void {
    if (this.scheduled || this.held || this.head >= this.queue.length) return;
    this.scheduled = true;
    const { clock } = this.link;
    clock.schedule(() => {
      this.scheduled = false;
      this.deliver();
    }, this.queue[this.head].at - clock.now());
  }

  private deliver(): void {
    const path = this.link.path;
    if (path.dead()) return;
    if (path.cut()) {
      this.held = true;
      path.waiting(() => this.heal());
      return;
    }
    const now = this.link.clock.now();
    while (this.head < this.queue.length && this.queue[this.head].at <= now) {
      const { chunk } = this.queue[this.head++];
      if (chunk === END) this.to.remoteEnded();
      else if (typeof chunk === "function") chunk();
      else this.to.arrive(chunk);
    }
    // let go of what was delivered: all of it when the queue is empty, else in large steps
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }

  /** The cut healed: what waited arrives one latency from now, in order. */
  private heal(): void {
    const now = this.link.clock.now();
    let floor = now + this.link.latency;
    for (let i = this.head; i < this.queue.length; i++) {
      floor = Math.max(floor, this.queue[i].at);
      this.queue[i].at = floor;
    }
    this.lastArrival = Math.max(this.lastArrival, floor);
    this.held = false;
    this.arm();
  }
}

/** One end of a {@link SimLink}: a {@link ByteDuplex} as a socket's (half-close included). */
export class LinkEnd implements ByteDuplex {
  /** The direction this end writes into. */
  sending!: Direction;
  /** The direction this end reads from. */
  receiving!: Direction;
  private readonly drained = new Subject<void>();
  readonly drained$ = this.drained.asObservable();
  private readonly inbox: Uint8Array[] = [];
  private subscriber: Subscriber<Uint8Array> | undefined;
  private paused = false;
  private delivering = false;
  /** We sent our end of stream (`end()` or `destroy()`). */
  private writeEnded = false;
  /** The remote's end of stream was read. */
  private readEnded = false;
  /** Destroyed, or both directions ended. */
  private closed = false;
  private wantDrain = false;
  private readonly onClosed: (() => void)[] = [];
  /** Bytes this end has received. */
  bytesRead = 0;

  constructor(
    private readonly link: SimLink,
    /** The remote `ip:port`. */
    readonly remote: string,
  ) {}

  readonly incoming$ = new Observable<Uint8Array>((subscriber) => {
    if (this.readEnded || this.closed) {
      subscriber.complete();
      return;
    }
    this.subscriber = subscriber;
    this.kick();
    return () => {
      if (this.subscriber === subscriber) this.subscriber = undefined;
    };
  });

  /**
   * Runs `arrived` at the far end when a segment sent now would arrive there, ahead of anything
   * written after it (a connection's final ACK, which the dialer's first bytes follow).
   */
  signal(arrived: () => void): void {
    this.sending.send(arrived);
  }

  write(chunk: Uint8Array): boolean {
    if (this.writeEnded) return true;
    this.sending.send(chunk);
    const ok = this.sending.bytes < this.link.highWaterMark;
    if (!ok) this.wantDrain = true;
    return ok;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  end(flushed?: () => void): void {
    if (!this.closed) flushed?.();
    if (this.writeEnded) return;
    this.writeEnded = true;
    this.sending.send(END);
    if (this.readEnded) this.close();
  }

  destroy(error?: Error): void {
    if (this.closed) return;
    if (!this.writeEnded) {
      this.writeEnded = true;
      this.sending.send(END);
    }
    for (const chunk of this.inbox) this.consumed(chunk.length);
    this.inbox.length = 0;
    this.link.other(this).notifyDrain();
    const s = this.subscriber;
    this.subscriber = undefined;
    this.readEnded = true;
    if (error === undefined) s?.complete();
    else s?.error(error);
    this.close();
  }

  /** Calls `callback` once this end is closed (at once if it is). */
  whenClosed(callback: () => void): void {
    if (this.closed) callback();
    else this.onClosed.push(callback);
  }

  /** The host crashed: this end fails at once, and sends nothing more. */
  crash(): void {
    this.destroy(new TransportError(`${this.remote}: connection lost (the host crashed)`));
  }

  /** @internal a chunk arrived. */
  arrive(chunk: Uint8Array): void {
    if (this.readEnded) {
      // discarded on arrival, as by a closed socket: the sender's window opens again
      this.consumed(chunk.length);
      this.link.other(this).notifyDrain();
      return;
    }
    this.inbox.push(chunk);
    this.kick();
  }

  /** @internal the remote's end of stream arrived. */
  remoteEnded(): void {
    if (this.readEnded) return;
    this.inbox.push(EMPTY_END);
    this.kick();
  }

  /** @internal the other end may write again once below the high-water mark. */
  notifyDrain(): void {
    if (this.wantDrain && this.sending.bytes < this.link.highWaterMark) {
      this.wantDrain = false;
      this.drained.next();
    }
  }

  private consumed(bytes: number): void {
    this.receiving.bytes -= bytes;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.endClosed();
    for (const callback of this.onClosed.splice(0)) callback();
  }

  private kick(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      this.deliver();
    } finally {
      this.delivering = false;
    }
  }

  private deliver(): void {
    while (!this.paused && this.inbox.length > 0) {
      const s = this.subscriber;
      if (s === undefined || s.closed) return;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while the inbox is not empty
      const chunk = this.inbox.shift()!;
      if (chunk === EMPTY_END) {
        this.readEnded = true;
        this.subscriber = undefined;
        s.complete();
        if (this.writeEnded) this.close();
        return;
      }
      this.bytesRead += chunk.length;
      this.consumed(chunk.length);
      s.next(chunk);
      this.link.other(this).notifyDrain();
    }
  }
}

/** Marks the end of the stream in an inbox. */
const EMPTY_END = new Uint8Array(0);

/** A simulated connection between two hosts (see the module doc). */
export class SimLink {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  /** This connection's one-way delay before jitter (ms). */
  readonly latency: number;
  /** Bytes in flight or unread after which `write()` returns false. */
  readonly highWaterMark = 64 * 1024;
  private open = 2;
  /** A host of the link crashed: nothing is delivered any more. */
  severed = false;
  /** The listener has accepted the connection (until then it is only the acceptor's kernel's). */
  accepted = false;

  constructor(
    readonly clock: VirtualClock,
    readonly model: LinkModel,
    readonly random: SimRandom,
    readonly path: LinkPath,
    /** `ip:port` of the dialing end and of the accepting end. */
    addresses: { readonly dialer: string; readonly acceptor: string },
    latency: number,
  ) {
    this.latency = latency;
    this.a = new LinkEnd(this, addresses.acceptor);
    this.b = new LinkEnd(this, addresses.dialer);
    const ab = new Direction(this, this.b);
    const ba = new Direction(this, this.a);
    this.a.sending = ab;
    this.a.receiving = ba;
    this.b.sending = ba;
    this.b.receiving = ab;
  }

  /** The other end. */
  other(end: LinkEnd): LinkEnd {
    return end === this.a ? this.b : this.a;
  }

  /** @internal one end closed. */
  endClosed(): void {
    if (--this.open > 0) return;
    this.path.closed();
  }
}
