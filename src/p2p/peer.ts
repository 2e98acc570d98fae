/**
 * A connected, checked peer: its identity, its NodeInfo, and sending on its MConnection.
 * @module
 */
import { asapScheduler, asyncScheduler, interval, isObservable, map, Observable, startWith, Subject, takeUntil, type Observer, type SchedulerLike, type Subscription } from "rxjs";
import type { MConnError } from "../error-base.js";
import type { ChannelStatus, MConnection } from "../mconn/mconnection.js";
import type { CloseReason } from "../mconn/close-reason.js";
import { PeerEndedError, SendBufferFullError, SendSourceError, SubscriberError, type GuardedStream, type PeerRef } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import type { NodeInfo } from "./node-info.js";
import { sendFrom } from "./send-from.js";

/** A message to send on a channel, as `peer.send$` takes it. */
export interface Outbound {
  readonly channelId: number;
  readonly message: Uint8Array;
}

/**
 * Why a message given to `send$`, `trySend$` or `sendFrom` was not queued: `buffer-full` (past
 * the connection's send buffer, `send$`/`sendFrom`), `queue-full` (no room at once, `trySend$`),
 * `not-running` (the peer ended first, or was closing), `unknown-channel` (not one of ours),
 * `peer-lacks-channel` (not in the peer's NodeInfo).
 */
export interface Dropped extends Outbound {
  readonly reason: "queue-full" | "buffer-full" | "unknown-channel" | "not-running" | "peer-lacks-channel";
}

/** A snapshot of a peer's traffic. */
export interface PeerStatus {
  readonly channels: readonly ChannelStatus[];
  /** Bytes per second sent and received since the previous snapshot. */
  readonly sendRate: number;
  readonly recvRate: number;
}

/** One connected peer. Created by the switch; users receive it in events and messages. */
export class Peer {
  /** The peer's node ID. */
  readonly id: string;
  /** True when we dialed it. */
  readonly isOutbound: boolean;
  /** True when it is redialed after a failure. */
  readonly isPersistent: boolean;
  /** What the peer said about itself (validated). */
  readonly nodeInfo: NodeInfo;
  /** The remote socket address, `host:port`. */
  readonly socketAddr: string;
  /** The address we dialed (outbound peers). */
  readonly dialedAddr: string | undefined;
  /**
   * An Observer to pipe outbound messages into (`source$.subscribe(peer.send$)`, any number of
   * sources): each message waits for room in its channel's queue, in order per channel, with no
   * time limit, held by the connection within `sendBufferSize` bytes (4 MiB by default, drawn
   * from the memory budget). Only a message past that bound is refused: reported on `dropped$`
   * (`buffer-full`), and said once per peer on `errors$` (`SendBufferFullError`). Held messages
   * the peer never takes (it ends first) are reported on `dropped$` (`not-running`).
   *
   * Each source is its own subscription: its teardown runs when it completes or errors, its
   * error is reported on `errors$` (`SendSourceError`), and `send$` stays open for others. The
   * subscription is the caller's: to end a source with the peer, pipe it through
   * `takeUntil(peer.ended$)` or use {@link Peer.sendFrom}. A message sent after the end is
   * refused, said once on `errors$` (`PeerEndedError`).
   */
  readonly send$: Observer<Outbound>;
  /**
   * `send$` for messages that may be lost (gossip): each is queued only if its channel's queue
   * has room at once (`trySend`), else reported on `dropped$` (`queue-full`); nothing is held.
   */
  readonly trySend$: Observer<Outbound>;
  /**
   * Messages `send$`, `trySend$` or `sendFrom` could not queue, with the reason. Its subscribers
   * are guarded (a throw stops this peer with `SubscriberError`). Completes when the peer ends.
   */
  readonly dropped$: Observable<Dropped>;
  /** Emits the reason once the connection has ended. Its subscribers are guarded. */
  readonly ended$: Observable<CloseReason>;
  /**
   * Failures in user code concerning this peer that did not come from its connection: a
   * throwing subscriber of `ended$` or `dropped$`, a failed source of `send$` or `sendFrom`, a
   * source outrunning the send buffer (once), a source still sending after the end (once). The switch
   * forwards them to its own `errors$` and logger. It does not complete: a subscriber of
   * `ended$` may still throw after the end.
   */
  readonly errors$: Observable<MConnError>;

  private readonly remoteChannels: Set<number>;
  private readonly droppedSubject = new Subject<Dropped>();
  private readonly errorSubject = new Subject<MConnError>();
  private readonly data = new Map<string, unknown>();
  /** Said once: a source outran the send buffer; something was sent after the end. */
  private bufferFullSaid = false;
  private endedSaid = false;
  /** `dropped$` has completed. */
  private ended = false;

  constructor(
    readonly connection: MConnection,
    init: { id: string; isOutbound: boolean; isPersistent: boolean; nodeInfo: NodeInfo; socketAddr: string; dialedAddr?: string },
  ) {
    this.id = init.id;
    this.isOutbound = init.isOutbound;
    this.isPersistent = init.isPersistent;
    this.nodeInfo = init.nodeInfo;
    this.socketAddr = init.socketAddr;
    this.dialedAddr = init.dialedAddr;
    this.remoteChannels = new Set(init.nodeInfo.channels);
    this.errors$ = this.errorSubject.asObservable();
    this.ended$ = GuardedObservable.from(connection.ended$, (err) => this.subscriberThrew("ended$", err));
    this.dropped$ = GuardedObservable.from(this.droppedSubject, (err) => this.subscriberThrew("dropped$", err));
    this.send$ = this.sink((m) => this.hold(m));
    this.trySend$ = this.sink((m) => this.offer(m));
    connection.ended$.subscribe(() => {
      this.ended = true;
      this.droppedSubject.complete();
    });
  }

  /** The peer's ID and socket address, as errors name it. */
  get ref(): PeerRef {
    return { id: this.id, address: this.socketAddr };
  }

  /**
   * Sends every message of `source` on `channelId`, each waiting for room in the queue, for as
   * long as the peer lives: the source is unsubscribed (or its iterator returned) when the peer
   * ends, and its error is reported on `errors$` (`SendSourceError`). An Observable is taken as
   * `send$` takes it (held within `sendBufferSize` bytes; past it, `buffer-full` on `dropped$`);
   * an (async) iterable is pulled one message at a time, only once the previous one is queued,
   * so it is paced by the peer and never refused for room. Unsubscribe the result to stop
   * sending (messages already held are still sent).
   */
  sendFrom(source: Observable<Uint8Array> | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, channelId: number): Subscription {
    const onError = (err: unknown) => this.errorSubject.next(new SendSourceError(channelId, this.ref, err));
    if (isObservable(source)) {
      return source.pipe(takeUntil(this.connection.ended$)).subscribe({ next: (message) => this.hold({ channelId, message }), error: onError });
    }
    return sendFrom(this, source, channelId, {
      onDrop: (message) => this.drop({ channelId, message }, this.refusal(channelId) ?? "not-running"),
      onError,
    });
  }

  /** True when the remote listed `channelId` in its NodeInfo (CometBFT sends only on those). */
  hasChannel(channelId: number): boolean {
    return this.remoteChannels.has(channelId);
  }

  /**
   * Queues `message`, waiting up to the send timeout for room: `true` once queued, `false` on
   * timeout or when either side lacks the channel.
   * @throws {PeerEndedError} (the promise rejects, in a later turn) once the peer has ended.
   */
  send(channelId: number, message: Uint8Array): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue(channelId, message).subscribe({ next: resolve, error: reject });
    });
  }

  /**
   * The Observable form of {@link Peer.send}: emits `true` once queued, or `false`, then
   * completes. Once the peer has ended it errors with {@link PeerEndedError}, asynchronously (a
   * `repeat()` loop of sends stops instead of recursing).
   */
  queue(channelId: number, message: Uint8Array): Observable<boolean> {
    return new Observable<boolean>((subscriber) => {
      if (!this.connection.isRunning) {
        return asapScheduler.schedule(() => subscriber.error(new PeerEndedError(channelId, this.ref)));
      }
      if (!this.hasChannel(channelId)) {
        subscriber.next(false);
        subscriber.complete();
        return undefined;
      }
      return this.connection.queue(channelId, message).subscribe(subscriber);
    });
  }

  /** Queues `message` if there is room now; `false` otherwise (see {@link Peer.send}). */
  trySend(channelId: number, message: Uint8Array): boolean {
    return this.hasChannel(channelId) && this.connection.trySend(channelId, message);
  }

  /** True while the connection runs. */
  get isRunning(): boolean {
    return this.connection.isRunning;
  }

  /** Key-value data that reactors attach to the peer (CometBFT's `Get`/`Set`). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type it stored under `key`, as with CometBFT's Get
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  /** Attaches `value` under `key`. */
  set(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /**
   * Traffic snapshots every `periodMs` (default 1 s): per-channel counters and the rates since
   * the previous snapshot. Completes when the peer's connection ends.
   */
  status$(periodMs = 1000, scheduler: SchedulerLike = asyncScheduler): Observable<PeerStatus> {
    return new Observable<PeerStatus>((subscriber) => {
      let last = totals(this.connection.status());
      let at = scheduler.now();
      return interval(periodMs, scheduler)
        .pipe(
          startWith(-1),
          map(() => {
            const channels = this.connection.status();
            const now = totals(channels);
            const seconds = Math.max((scheduler.now() - at) / 1000, 1e-9);
            const status = { channels, sendRate: (now.sent - last.sent) / seconds, recvRate: (now.received - last.received) / seconds };
            last = now;
            at = scheduler.now();
            return status;
          }),
          takeUntil(this.connection.ended$),
        )
        .subscribe(subscriber);
    });
  }

  /** An Observer over `put`, for any number of sources (see `send$`). */
  private sink(put: (m: Outbound) => void): Observer<Outbound> {
    let lastChannel = -1;
    return Object.freeze({
      next: (m: Outbound) => {
        lastChannel = m.channelId;
        put(m);
      },
      error: (err: unknown) => this.errorSubject.next(new SendSourceError(lastChannel, this.ref, err)),
      complete: () => undefined, // other sources may still be piped in
    });
  }

  /** `send$`: queued or held within the send buffer, else reported. */
  private hold(m: Outbound): void {
    const reason = this.refusal(m.channelId);
    if (reason !== undefined) {
      this.drop(m, reason);
      return;
    }
    if (this.connection.hold(m.channelId, m.message, () => this.drop(m, "not-running"))) return;
    this.drop(m, "buffer-full");
    if (this.bufferFullSaid) return;
    this.bufferFullSaid = true;
    this.errorSubject.next(new SendBufferFullError(m.channelId, this.ref, this.connection.config.sendBufferSize));
  }

  /** `trySend$`: queued at once, else reported. */
  private offer(m: Outbound): void {
    const reason = this.refusal(m.channelId);
    if (reason !== undefined) this.drop(m, reason);
    else if (!this.connection.trySend(m.channelId, m.message)) this.drop(m, "queue-full");
  }

  /** Reports `m` on `dropped$`; once the peer has ended (`dropped$` complete), says so once on `errors$`. */
  private drop(m: Outbound, reason: Dropped["reason"]): void {
    if (!this.ended) {
      this.droppedSubject.next({ ...m, reason });
      return;
    }
    if (this.endedSaid) return;
    this.endedSaid = true;
    this.errorSubject.next(new PeerEndedError(m.channelId, this.ref));
  }

  private subscriberThrew(stream: GuardedStream, error: unknown): void {
    const err = new SubscriberError(stream, this.ref, error);
    this.errorSubject.next(err);
    // A throw about a peer that has ended has nothing left to stop.
    this.connection.abort(err);
  }

  private refusal(channelId: number): Dropped["reason"] | undefined {
    if (!this.connection.acceptsMessages) return "not-running";
    if (!this.connection.channels.some((c) => c.id === channelId)) return "unknown-channel";
    if (!this.hasChannel(channelId)) return "peer-lacks-channel";
    return undefined;
  }
}

function totals(channels: readonly ChannelStatus[]): { sent: number; received: number } {
  let sent = 0;
  let received = 0;
  for (const c of channels) {
    sent += c.sentBytes;
    received += c.receivedBytes;
  }
  return { sent, received };
}
