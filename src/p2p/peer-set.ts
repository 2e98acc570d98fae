/**
 * The Switch's peers: who is admitted (the rules of `admission/peer-admission.ts`), and the order
 * in which they join and leave. An admitted connection joins: an MConnection and its `Peer`, the
 * reactors' `initPeer`, the connection started, their `addPeer`, `added` on `peers$`, then the
 * messages that arrived meanwhile — so no message is delivered before its peer is announced. A peer leaves when its connection ends: `removePeer`
 * for the reactors whose `addPeer` ran, then `removed` (only for a peer that was `added`).
 * @module
 */
import { Subject, type Observable, type SchedulerLike } from "rxjs";
import { namePeer } from "../error-base.js";
import type { CloseReason } from "../mconn/close-reason.js";
import type { MConnectionConfig } from "../mconn/config.js";
import type { MemoryBudget } from "../mconn/memory-budget.js";
import { MConnection } from "../mconn/mconnection.js";
import type { ChannelMessage } from "../mconn/reassemble.js";
import { admission, type AdmissionRules } from "./admission/peer-admission.js";
import { FilterError, PeerRejectedError } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import { Peer } from "./peer.js";
import type { PersistentPeers } from "./persistent-peers.js";
import type { Router } from "./routing.js";
import type { SwitchReports } from "./switch-reports.js";
import type { TransportConnection } from "./transport.js";

/** A peer joined or left. `removed` follows `added`, and only peers that were added are removed. */
export type PeerEvent =
  | { readonly type: "added"; readonly peer: Peer }
  | { readonly type: "removed"; readonly peer: Peer; readonly reason: CloseReason };

/** What the peers are run with. */
export interface PeerSetOptions {
  readonly router: Router;
  readonly config: MConnectionConfig;
  readonly scheduler: SchedulerLike;
  readonly memoryBudget: MemoryBudget;
  /** The connections' flush and yield schedulers (a simulation's clock); MConnection's own by default. */
  readonly flushSchedulers?: { readonly flush: SchedulerLike; readonly yield: SchedulerLike } | undefined;
  /** Told when a persistent peer is added and when it ends. */
  readonly persistentPeers: Pick<PersistentPeers, "connected" | "ended">;
  readonly reports: SwitchReports;
}

/** Where a connection comes from. */
export interface Arrival {
  readonly outbound: boolean;
  /** The address dialed (outbound). */
  readonly dialedAddr?: string;
}

interface PeerEntry {
  readonly peer: Peer;
  /** `added` was emitted. */
  announced: boolean;
  /** Messages that arrived before `added` (only while the peer is being started). */
  readonly early: ChannelMessage[];
  /** Reactors whose `addPeer` ran: they get `removePeer`. */
  readonly reactors: Set<string>;
}

/** The connected peers by ID, with `peers$`; see the module's description. */
export class PeerSet {
  private readonly byId = new Map<string, Peer>();
  private readonly events = new Subject<PeerEvent>();
  private emitting: PeerEvent | undefined;
  /** Peers joining and leaving. Subscribers are guarded: a throw stops only the peer of the event. */
  readonly peers$: Observable<PeerEvent>;
  /** The same events, for the Switch's own log (unguarded: only our code subscribes). */
  readonly changes: Observable<PeerEvent> = this.events.asObservable();

  constructor(private readonly options: PeerSetOptions) {
    this.peers$ = new GuardedObservable<PeerEvent>(
      (s) => this.events.subscribe(s),
      (err, e) => options.reports.subscriberThrew("peers$", err, e?.peer),
      () => this.emitting,
    );
  }

  /** The connected peers by ID. */
  get peers(): ReadonlyMap<string, Peer> {
    return this.byId;
  }

  /**
   * Makes `conn` a peer if `rules` admit it (see {@link admission}), in the order of the module's
   * description.
   * @throws {PeerRejectedError | FilterError} when refused (the connection is closed; a filter
   * that threw is reported too); `ReactorError` when a reactor's `initPeer` or `addPeer`
   * throws (the connection is ended with it); the connection's error when it ended before it
   * was added.
   */
  admit(conn: TransportConnection, how: Arrival, rules: AdmissionRules): Peer {
    const candidate = { remoteId: conn.remoteId, nodeInfo: conn.nodeInfo, outbound: how.outbound, socketAddr: conn.socketAddr };
    const decision = admission(this.byId.values(), rules, candidate);
    if (!decision.accepted) {
      conn.duplex.destroy();
      if (decision.error instanceof FilterError) this.options.reports.report(decision.error);
      throw namePeer(decision.error, { id: conn.remoteId, address: conn.socketAddr });
    }
    return this.join(conn, { ...how, persistent: decision.persistent });
  }

  private join(conn: TransportConnection, how: Arrival & { persistent: boolean }): Peer {
    const { router, config, scheduler, memoryBudget, reports, flushSchedulers } = this.options;
    const ref = { id: conn.remoteId, address: conn.socketAddr };
    const flushing = flushSchedulers === undefined ? {} : { flushScheduler: flushSchedulers.flush, yieldScheduler: flushSchedulers.yield };
    const connection = new MConnection(conn.duplex, { channels: router.descriptors, config, scheduler, memoryBudget, peer: ref, ...flushing });
    const peer = new Peer(connection, {
      id: conn.remoteId,
      isOutbound: how.outbound,
      isPersistent: how.persistent,
      nodeInfo: conn.nodeInfo,
      socketAddr: conn.socketAddr,
      ...(how.dialedAddr === undefined ? {} : { dialedAddr: how.dialedAddr }),
    });
    peer.errors$.subscribe((e) => reports.report(e));
    const init = router.callHook("initPeer", peer);
    if (init.error !== undefined) {
      connection.abort(init.error);
      throw init.error;
    }
    const entry: PeerEntry = { peer, announced: false, early: [], reactors: new Set() };
    connection.messages$.subscribe((m) => (entry.announced ? router.route(peer, m.channelId, m.message) : entry.early.push(m)));
    connection.ended$.subscribe((reason) => this.leave(entry, reason));
    this.byId.set(peer.id, peer);
    connection.start();
    if (connection.isRunning) {
      const added = router.callHook("addPeer", peer);
      for (const name of added.called) entry.reactors.add(name);
      if (added.error !== undefined) connection.abort(added.error);
    }
    if (!connection.isRunning) {
      const reason = connection.closeReason;
      throw reason?.kind === "error" ? reason.error : new PeerRejectedError("stopping", `${peer.id} ended (${reason?.kind ?? "unknown"}) before it was added`);
    }
    entry.announced = true;
    if (peer.isPersistent) this.options.persistentPeers.connected(peer.id);
    this.emit({ type: "added", peer });
    for (const m of entry.early.splice(0)) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a subscriber of `added` may have ended the peer
      if (!connection.isRunning) break;
      router.route(peer, m.channelId, m.message);
    }
    return peer;
  }

  /** Completes `peers$` (the Switch stopped). */
  complete(): void {
    this.events.complete();
  }

  private leave(entry: PeerEntry, reason: CloseReason): void {
    const { peer } = entry;
    if (this.byId.get(peer.id) === peer) this.byId.delete(peer.id);
    for (const error of this.options.router.removePeer(peer, reason, entry.reactors)) this.options.reports.report(error);
    if (!entry.announced) return;
    this.emit({ type: "removed", peer, reason });
    if (peer.isPersistent) this.options.persistentPeers.ended(peer.id, reason);
  }

  private emit(event: PeerEvent): void {
    const previous = this.emitting;
    this.emitting = event;
    try {
      this.events.next(event);
    } finally {
      this.emitting = previous;
    }
  }
}
