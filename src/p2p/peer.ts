/**
 * A connected, checked peer: its identity, its NodeInfo, and sending on its MConnection.
 * @module
 */
import { asapScheduler, asyncScheduler, interval, map, Observable, startWith, Subject, Subscriber, takeUntil, type SchedulerLike, type Subscription } from "rxjs";
import type { MConnError } from "../error-base.js";
import type { ChannelStatus, MConnection } from "../mconn/mconnection.js";
import type { CloseReason } from "../mconn/close-reason.js";
import { PeerEndedError, SendSourceError, SubscriberError, type GuardedStream, type PeerRef } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import type { NodeInfo } from "./node-info.js";
import { sendFrom } from "./send-from.js";

/** A message to send on a channel, as `peer.send$` takes it. */
export interface Outbound {
  readonly channelId: number;
  readonly message: Uint8Array;
}

/** Why a message given to `send$` was not queued. */
export interface Dropped extends Outbound {
  readonly reason: "queue-full" | "unknown-channel" | "not-running" | "peer-lacks-channel";
}

/** Options of {@link Peer.sendFrom}. */
export interface PeerSendFromOptions {
  /** Messages of an Observable source held while waiting for room (default 16); beyond, each is reported on `dropped$`. */
  readonly maxPending?: number;
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
   * A Subscriber to pipe outbound messages into (`source$.subscribe(peer.send$)`): each is
   * queued with `trySend`; what cannot be queued (full queue, unknown channel, peer gone) is
   * reported on `dropped$`, never buffered. A source piped in is unsubscribed when the peer ends,
   * and its error is reported on `errors$` (`SendSourceError`); its completion leaves `send$`
   * open for other sources. To wait for room instead of dropping, use {@link Peer.sendFrom}.
   */
  readonly send$: Subscriber<Outbound>;
  /**
   * Messages `send$` or `sendFrom` could not queue, with the reason. Its subscribers are
   * guarded (a throw stops this peer with `SubscriberError`). Completes when the peer ends.
   */
  readonly dropped$: Observable<Dropped>;
  /** Emits the reason once the connection has ended. Its subscribers are guarded. */
  readonly ended$: Observable<CloseReason>;
  /**
   * Failures in user code concerning this peer that did not come from its connection: a
   * throwing subscriber of `ended$` or `dropped$`, a failed `sendFrom` source. The switch
   * forwards them to its own `errors$` and logger. It does not complete: a subscriber of
   * `ended$` may still throw after the end.
   */
  readonly errors$: Observable<MConnError>;

  private readonly remoteChannels: Set<number>;
  private readonly droppedSubject = new Subject<Dropped>();
  private readonly errorSubject = new Subject<MConnError>();
  private readonly data = new Map<string, unknown>();

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
    this.send$ = new SendSubscriber(
      (m) => this.offer(m),
      (err, m) => this.errorSubject.next(new SendSourceError(m?.channelId ?? -1, this.ref, err)),
    );
    connection.ended$.subscribe(() => {
      this.send$.unsubscribe();
      this.droppedSubject.complete();
    });
  }

  /** The peer's ID and socket address, as errors name it. */
  get ref(): PeerRef {
    return { id: this.id, address: this.socketAddr };
  }

  /**
   * Sends every message of `source` on `channelId`, each waiting for room in the queue (no
   * drops while the peer keeps reading, no unbounded buffering, no synchronous recursion). An
   * (async) iterable is pulled one message at a time, paced by the peer; an Observable is
   * subscribed at once and what it pushes while earlier messages wait is held up to
   * `maxPending` (beyond, reported on `dropped$`). The source is unsubscribed (or its iterator
   * returned) when the peer ends; its error is reported on `errors$` (`SendSourceError`).
   * Unsubscribe the result to stop sending.
   */
  sendFrom(source: Observable<Uint8Array> | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, channelId: number, options: PeerSendFromOptions = {}): Subscription {
    return sendFrom(this, source, channelId, {
      ...options,
      onDrop: (message, why) => this.droppedSubject.next({ channelId, message, reason: this.refusal(channelId) ?? why }),
      onError: (err) => this.errorSubject.next(new SendSourceError(channelId, this.ref, err)),
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

  private offer(m: Outbound): void {
    const reason = this.refusal(m.channelId);
    if (reason !== undefined) this.droppedSubject.next({ ...m, reason });
    else if (!this.connection.trySend(m.channelId, m.message)) this.droppedSubject.next({ ...m, reason: "queue-full" });
  }

  private subscriberThrew(stream: GuardedStream, error: unknown): void {
    const err = new SubscriberError(stream, this.ref, error);
    this.errorSubject.next(err);
    // A throw about a peer that has ended has nothing left to stop.
    this.connection.abort(err);
  }

  private refusal(channelId: number): Dropped["reason"] | undefined {
    if (!this.connection.isRunning) return "not-running";
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

/**
 * `peer.send$`: a Subscriber that sources can be piped into. It never stops on a source's
 * completion or error (other sources may still be piped in); it is unsubscribed — tearing down
 * every source piped into it — when the peer ends.
 */
class SendSubscriber extends Subscriber<Outbound> {
  private last: Outbound | undefined;

  constructor(
    private readonly onNext: (m: Outbound) => void,
    private readonly onError: (error: unknown, last: Outbound | undefined) => void,
  ) {
    // A Subscriber (not a plain Observer) so that `source$.subscribe(peer.send$)` attaches the
    // source's teardown to it, and unsubscribing it when the peer ends stops every source.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
    super();
  }

  override next(m: Outbound): void {
    if (this.closed) return;
    this.last = m;
    this.onNext(m);
  }

  override error(err: unknown): void {
    if (!this.closed) this.onError(err, this.last);
  }

  override complete(): void {
    // Other sources may still be piped in: send$ ends with the peer only.
  }
}
