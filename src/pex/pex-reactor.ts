/**
 * The PEX reactor on channel 0x00, as CometBFT's: it answers `PexRequest`s with a random
 * selection of the book, asks outbound peers for addresses when the book needs more, takes
 * `PexAddrs` only in answer to its own request, and ends a peer that asks more often than once
 * per `ensurePeersPeriod / 3` (the first two requests are free) with `PexRequestTooSoonError`.
 * A seed answers an inbound peer once, then disconnects it after `seedDisconnectDelay`.
 * @module
 */
import { asyncScheduler, Subject, timer, type Observable, type SchedulerLike, type Subscription } from "rxjs";
import type { MConnError } from "../error-base.js";
import type { DiscoveryHost } from "../p2p/discovery.js";
import { silentLogger, type Logger } from "../logger.js";
import { GuardedObservable } from "../p2p/guarded-observable.js";
import { protoCodec, type Envelope, type MessageCodec, type Reactor, type SwitchChannelDescriptor } from "../p2p/reactor.js";
import { formatNetAddress, type NetAddress } from "../p2p/netaddress.js";
import { Message as PexMessage } from "../proto/tendermint/p2p/pex.js";
import type { AddressBook } from "./address-book.js";
import { AddressRefusedError, BadPexAddrsError, EmptyPexMessageError, PexRequestTooSoonError, UnsolicitedAddrsError } from "./errors.js";
import { connectionSource, fromProtoAddress, peerAddress, toProtoAddress, type PexPeerInfo } from "./pex-addresses.js";
import { bookParams, pexParams } from "./params.js";

/** A peer as the PEX reactor uses it (the Switch's `Peer` is one). */
export interface PexPeer extends PexPeerInfo {
  readonly isOutbound: boolean;
  readonly isPersistent: boolean;
  /** Queues `message` if there is room; false when not. */
  trySend(channelId: number, message: Uint8Array): boolean;
}

/** What the PEX reactor and its dialing loop need of their switch. */
export type PexHost<P extends PexPeer = PexPeer> = Pick<DiscoveryHost<P>, "nodeId" | "peers" | "dial" | "stopPeerForError" | "stopPeerGracefully">;

/** An address the book took from a peer's answer. */
export interface Discovered {
  readonly address: NetAddress;
  /** The peer that told us of it: its ID at the IP its connection came from, and its listen port. */
  readonly source: NetAddress;
}

/** An answer to one of our requests. */
export interface Answered {
  readonly peer: PexPeer;
  /** Addresses new to the book. */
  readonly added: number;
}

/** Options of a {@link PexReactor}. */
export interface PexReactorOptions {
  readonly book: AddressBook;
  /** Seed mode: answer each inbound peer once, then disconnect it. */
  readonly seedMode?: boolean;
  /** Between ensurePeers rounds (ms, default 30 000); a peer may ask once per a third of it. */
  readonly ensurePeersPeriod?: number;
  /** A seed disconnects an inbound peer this long after answering it (ms, default 1000). */
  readonly seedDisconnectDelay?: number;
  /** The clock of the rate limit and the seed's delay. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
}

/** `tendermint.p2p.Message`, the PEX channel's messages, from the PEX schema alone. */
export const pexCodec: MessageCodec<PexMessage> = protoCodec(PexMessage);

const refOf = (peer: PexPeer) => ({ id: peer.id, address: peer.socketAddr });
const encode = (m: PexMessage): Uint8Array => pexCodec.encode(m);
const REQUEST = encode({ sum: { $case: "pexRequest", value: {} } });

/** The PEX channel's descriptor, with CometBFT's values (message capacity 256 × 250 bytes). */
export const pexChannel: SwitchChannelDescriptor = {
  id: pexParams.channelId,
  priority: 1,
  sendQueueCapacity: 10,
  recvMessageCapacity: pexParams.maxAddressSize * bookParams.maxGetSelection,
  codec: pexCodec,
};

/** The PEX reactor (see the module doc). Attach it with `host` once the switch exists. */
export class PexReactor implements Reactor {
  readonly channels = [pexChannel];
  readonly book: AddressBook;
  private readonly seedMode: boolean;
  private readonly minRequestInterval: number;
  private readonly seedDisconnectDelay: number;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  /** Peers we asked and that have not answered. */
  private readonly requested = new Set<string>();
  /** Per peer: undefined (never asked), 0 (asked once), or when it last asked. */
  private readonly lastRequest = new Map<string, number>();
  private readonly timers = new Set<Subscription>();
  /** When each peer was added (ms on the scheduler): a seed disconnects peers by it. */
  readonly connectedAt = new Map<string, number>();
  private readonly discoveries = new Subject<Discovered>();
  private readonly answers = new Subject<Answered>();
  private readonly lefts = new Subject<PexPeer>();
  /** Addresses the book took from answers, with who told us. A subscriber's throw is logged, never thrown. */
  readonly discovered$: Observable<Discovered>;
  /** Every answer to our requests: who, and how many new addresses the book took from it. A subscriber's throw is logged, never thrown. */
  readonly answered$: Observable<Answered>;
  /** Each peer as it is removed (its connection ended). A subscriber's throw is logged, never thrown. */
  readonly left$: Observable<PexPeer>;
  /** The switch; set by whoever wires the reactor. */
  host: PexHost | undefined;

  constructor(options: PexReactorOptions) {
    this.book = options.book;
    this.seedMode = options.seedMode ?? false;
    this.minRequestInterval = (options.ensurePeersPeriod ?? pexParams.ensurePeersPeriod) / 3;
    this.seedDisconnectDelay = options.seedDisconnectDelay ?? 1000;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    this.discovered$ = GuardedObservable.from(this.discoveries, (err, d) =>
      this.logger.error({ err: String(err), addr: d && formatNetAddress(d.address), from: d?.source.id }, "a subscriber of discovered$ threw"),
    );
    this.answered$ = GuardedObservable.from(this.answers, (err, a) => this.logger.error({ err: String(err), peer: a?.peer.id }, "a subscriber of answered$ threw"));
    this.left$ = GuardedObservable.from(this.lefts, (err, p) => this.logger.error({ err: String(err), peer: p?.id }, "a subscriber of left$ threw"));
  }

  /**
   * An outbound peer is asked for addresses when the book needs more; an inbound one's listen
   * address goes into the book, with the address its connection came from as source.
   */
  addPeer(peer: PexPeer): void {
    this.connectedAt.set(peer.id, this.scheduler.now());
    if (peer.isOutbound) {
      if (this.book.needMoreAddresses) this.requestAddrs(peer);
      return;
    }
    // Filed under the IP its connection came from: a claimed listen address in another network
    // goes to the buckets of the network the peer is really in.
    this.addToBook(peerAddress(peer), connectionSource(peer));
  }

  /** Forgets the peer's requests, and tells `left$`. */
  removePeer(peer: PexPeer): void {
    this.connectedAt.delete(peer.id);
    this.requested.delete(peer.id);
    this.lastRequest.delete(peer.id);
    this.lefts.next(peer);
  }

  /** Sends a `PexRequest` to `peer` unless one is already unanswered. */
  requestAddrs(peer: PexPeer): void {
    if (this.requested.has(peer.id)) return;
    this.requested.add(peer.id);
    if (!peer.trySend(pexParams.channelId, REQUEST)) this.requested.delete(peer.id);
  }

  /** Handles a `PexRequest` or a `PexAddrs`. */
  receive(envelope: Envelope<unknown>): void {
    const peer = envelope.peer as PexPeer;
    const msg = (envelope.message as PexMessage).sum;
    if (msg === undefined) this.fail(peer, new EmptyPexMessageError(refOf(peer)), false);
    else if (msg.$case === "pexRequest") this.onRequest(peer);
    else this.onAddrs(peer, msg.value.addrs);
  }

  /** Cancels pending disconnects and completes `discovered$`, `answered$` and `left$`. */
  stop(): void {
    for (const t of this.timers) t.unsubscribe();
    this.timers.clear();
    this.discoveries.complete();
    this.answers.complete();
    this.lefts.complete();
  }

  private onRequest(peer: PexPeer): void {
    if (this.seedMode && !peer.isOutbound) {
      if (this.lastRequest.has(peer.id)) return;
      this.lastRequest.set(peer.id, this.scheduler.now());
      this.sendAddrs(peer, this.book.selectionWithBias(pexParams.biasToSelectNewPeers));
      const t = timer(this.seedDisconnectDelay, this.scheduler).subscribe(() => {
        this.timers.delete(t);
        void this.host?.stopPeerGracefully(peer).catch(() => undefined);
      });
      this.timers.add(t);
      return;
    }
    const now = this.scheduler.now();
    const last = this.lastRequest.get(peer.id);
    if (last !== undefined && last !== 0 && now - last < this.minRequestInterval) {
      this.fail(peer, new PexRequestTooSoonError(refOf(peer), now - last, this.minRequestInterval), true);
      return;
    }
    this.lastRequest.set(peer.id, last === undefined ? 0 : now);
    this.sendAddrs(peer, this.book.selection());
  }

  private onAddrs(peer: PexPeer, addrs: readonly { id: string; ip: string; port: number }[]): void {
    if (!this.requested.has(peer.id)) {
      this.fail(peer, new UnsolicitedAddrsError(refOf(peer)), true);
      return;
    }
    this.requested.delete(peer.id);
    if (addrs.length > bookParams.maxGetSelection) {
      this.fail(peer, new BadPexAddrsError(refOf(peer), `${addrs.length} addresses, more than ${bookParams.maxGetSelection}`), true);
      return;
    }
    const parsed = addrs.map(fromProtoAddress);
    const bad = parsed.find((a): a is string => typeof a === "string");
    if (bad !== undefined) {
      this.fail(peer, new BadPexAddrsError(refOf(peer), bad), true);
      return;
    }
    const source = connectionSource(peer);
    let added = 0;
    for (const a of parsed as NetAddress[]) if (this.addToBook(a, source)) added++;
    this.answers.next({ peer, added });
  }

  /** Adds `address` to the book; true when it is new there. */
  private addToBook(address: NetAddress, source: NetAddress): boolean {
    const before = this.book.get(address.id);
    try {
      this.book.add(address, source);
    } catch (err) {
      if (!(err instanceof AddressRefusedError)) throw err;
      this.logger.debug({ addr: formatNetAddress(address), from: source.id, reason: err.refusal }, "address not added");
      return false;
    }
    const isNew = before === undefined && this.book.get(address.id) !== undefined;
    if (isNew) this.discoveries.next({ address, source });
    return isNew;
  }

  private sendAddrs(peer: PexPeer, addrs: readonly NetAddress[]): void {
    peer.trySend(pexParams.channelId, encode({ sum: { $case: "pexAddrs", value: { addrs: addrs.map(toProtoAddress) } } }));
  }

  /** Ends `peer` with `error`; a request flood or an unasked answer also bans its address. */
  private fail(peer: PexPeer, error: MConnError, ban: boolean): void {
    this.logger.info({ peer: peer.id, reason: error.reason, err: error.message }, "PEX peer misbehaved");
    if (ban) {
      this.book.markBad(peer.id, pexParams.defaultBanTime);
    }
    this.host?.stopPeerForError(peer, error);
  }
}
