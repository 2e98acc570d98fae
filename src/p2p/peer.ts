/**
 * A connected, checked peer: its identity, its NodeInfo, and sending on its MConnection.
 * @module
 */
import { asyncScheduler, interval, map, Observable, startWith, Subject, takeUntil, type Observer, type SchedulerLike } from "rxjs";
import type { ChannelStatus, MConnection } from "../mconn/mconnection.js";
import type { CloseReason } from "../mconn/close-reason.js";
import type { NodeInfo } from "./node-info.js";

/** A message to send on a channel, as `peer.send$` takes it. */
export interface Outbound {
  readonly channelId: number;
  readonly message: Uint8Array;
}

/** Why a message given to `send$` was not queued. */
export interface Dropped extends Outbound {
  readonly reason: "queue-full" | "unknown-channel" | "not-running" | "peer-lacks-channel";
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
   * An Observer to pipe outbound messages into: each is queued with `trySend`; what cannot be
   * queued (full queue, unknown channel, peer gone) is reported on `dropped$`, never buffered.
   * For backpressure instead, use `concatMap((m) => peer.queue(m.channelId, m.message))`.
   */
  readonly send$: Observer<Outbound>;
  /** Messages `send$` could not queue, with the reason. Completes when the peer is removed. */
  readonly dropped$: Observable<Dropped>;
  /** Emits the reason once the connection has ended. */
  readonly ended$: Observable<CloseReason>;

  private readonly remoteChannels: Set<number>;
  private readonly droppedSubject = new Subject<Dropped>();
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
    this.ended$ = connection.ended$;
    this.dropped$ = this.droppedSubject.asObservable();
    connection.ended$.subscribe(() => this.droppedSubject.complete());
    this.send$ = {
      next: (m) => {
        const reason = this.refusal(m.channelId);
        if (reason !== undefined) this.droppedSubject.next({ ...m, reason });
        else if (!connection.trySend(m.channelId, m.message)) this.droppedSubject.next({ ...m, reason: "queue-full" });
      },
      error: () => undefined,
      complete: () => undefined,
    };
  }

  /** True when the remote listed `channelId` in its NodeInfo (CometBFT sends only on those). */
  hasChannel(channelId: number): boolean {
    return this.remoteChannels.has(channelId);
  }

  /**
   * Queues `message`, waiting up to the send timeout for room. `false` on timeout, when the
   * peer is gone, or when either side lacks the channel.
   */
  send(channelId: number, message: Uint8Array): Promise<boolean> {
    if (!this.hasChannel(channelId)) return Promise.resolve(false);
    return this.connection.send(channelId, message);
  }

  /** The Observable form of {@link Peer.send}: emits `true` once queued, or `false`. */
  queue(channelId: number, message: Uint8Array): Observable<boolean> {
    if (!this.hasChannel(channelId)) return new Observable((s) => {
        s.next(false);
        s.complete();
      });
    return this.connection.queue(channelId, message);
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
