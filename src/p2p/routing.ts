/**
 * Routing: which reactor owns each channel, and delivering a peer's messages to the owner's
 * `receive` and to `switch.channel(id).messages$` — decoding with the channel's codec, every
 * call into user code guarded.
 * @module
 */
import { Subject, type Observable } from "rxjs";
import { ConfigError } from "../error-base.js";
import { resolveChannels } from "../mconn/channel-descriptor.js";
import { DecodeError, ReactorError, type GuardedStream, type ReactorHook } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import type { Peer } from "./peer.js";
import { pullMessages, type MessageIterator, type PullOptions } from "./pull-messages.js";
import type { Envelope, Reactor, RemovalReason, SwitchChannelDescriptor } from "./reactor.js";

/** One channel of the switch, as users see it. */
export interface SwitchChannel<T = Uint8Array> {
  readonly descriptor: SwitchChannelDescriptor;
  /**
   * Messages from every peer on this channel, delivered after the peer's `added` event. Its
   * subscribers are guarded: a throw stops only the peer whose message it was. Completes when
   * the switch stops.
   */
  readonly messages$: Observable<Envelope<T>>;
  /**
   * The channel's messages pulled one at a time, with backpressure: `for await (const e of
   * channel.messages())`. When `highWaterMark` (default 16) messages wait, the peers sending them
   * stop being read until the consumer catches up, so TCP slows them down. Ends when the switch stops; `break` unsubscribes.
   * @throws {ConfigError} when `highWaterMark` is not a positive integer.
   */
  messages(options?: PullOptions): MessageIterator<T>;
}

interface Owner {
  readonly name: string;
  readonly reactor: Reactor;
  readonly descriptor: SwitchChannelDescriptor;
  readonly subject: Subject<Envelope<unknown>>;
  readonly handle: SwitchChannel<unknown>;
}

/** Told when a subscriber of a guarded stream throws, with the peer its value concerned. */
export type SubscriberThrow = (stream: GuardedStream, error: unknown, peer: Peer | undefined) => void;

const HOOKS: readonly ReactorHook[] = ["initPeer", "addPeer", "removePeer", "receive"];

/** The reactors of a switch and their channels. */
export class Router {
  private readonly reactorMap = new Map<string, Reactor>();
  private readonly owners = new Map<number, Owner>();
  private delivering: Envelope<unknown> | undefined;

  constructor(private readonly onThrow: SubscriberThrow) {}

  /** The reactors by name, in registration order. */
  get reactors(): ReadonlyMap<string, Reactor> {
    return this.reactorMap;
  }

  /** Every declared channel, in registration order. */
  get descriptors(): SwitchChannelDescriptor[] {
    return [...this.owners.values()].map((o) => o.descriptor);
  }

  /**
   * Registers `reactor` under `name` after checking it all at once: a new name, hooks that are
   * functions, channel descriptors that pass `resolveChannels` (ids 0–255, positive priority,
   * capacities), codecs with `encode` and `decode`, channels no other reactor owns.
   * @throws {ConfigError} naming every rule broken.
   */
  add(name: string, reactor: Reactor): void {
    const errors: string[] = [];
    if (typeof name !== "string" || name === "") errors.push("a reactor needs a non-empty name.");
    else if (this.reactorMap.has(name)) errors.push(`a reactor named ${name} is already registered.`);
    const channels = (reactor as Partial<Reactor> | undefined)?.channels;
    if (!Array.isArray(channels)) errors.push(`reactor ${name} must declare channels (an array of descriptors).`);
    for (const hook of HOOKS) {
      const fn = (reactor as unknown as Record<string, unknown>)[hook];
      if (fn !== undefined && typeof fn !== "function") errors.push(`reactor ${name}: ${hook} must be a function.`);
    }
    const list: readonly SwitchChannelDescriptor[] = Array.isArray(channels) ? channels : [];
    try {
      resolveChannels(list);
    } catch (err) {
      errors.push(`reactor ${name}: ${(err as Error).message}`);
    }
    for (const d of list) {
      const owner = this.owners.get(d.id);
      if (owner !== undefined) errors.push(`channel ${d.id} of reactor ${name} is already owned by reactor ${owner.name}.`);
      if (d.codec !== undefined && (typeof d.codec.decode !== "function" || typeof d.codec.encode !== "function"))
        errors.push(`reactor ${name}: channel ${d.id}'s codec must have encode and decode functions.`);
    }
    if (errors.length > 0) throw new ConfigError(errors.join(" "));
    this.reactorMap.set(name, reactor);
    for (const d of list) {
      const subject = new Subject<Envelope<unknown>>();
      const messages$ = GuardedObservable.from<Envelope<unknown>>(
        subject,
        (err, envelope) => this.onThrow("messages$", err, envelope?.peer),
        () => this.delivering,
      );
      this.owners.set(d.id, { name, reactor, descriptor: d, subject, handle: { descriptor: d, messages$, messages: (options) => pullMessages(subject, options) } });
    }
  }

  /**
   * The channel `id`.
   * @throws {ConfigError} when no reactor declared it.
   */
  channel(id: number): SwitchChannel<unknown> {
    const owner = this.owners.get(id);
    if (owner === undefined) throw new ConfigError(`no reactor declares channel ${id}`);
    return owner.handle;
  }

  /**
   * Calls `hook` of every reactor (that has it) for `peer`, in registration order, stopping at
   * the first that throws: its {@link ReactorError} is returned, with the names of the reactors
   * that were called successfully before it.
   */
  callHook(hook: "initPeer" | "addPeer", peer: Peer, names?: ReadonlySet<string>): { called: string[]; error?: ReactorError } {
    const called: string[] = [];
    for (const [name, reactor] of this.reactorMap) {
      if (names !== undefined && !names.has(name)) continue;
      try {
        reactor[hook]?.(peer);
      } catch (err) {
        return { called, error: new ReactorError(name, hook, peer.ref, err) };
      }
      called.push(name);
    }
    return { called };
  }

  /** Calls `removePeer` of the reactors named (each guarded: the peer is gone already); returns their errors. */
  removePeer(peer: Peer, reason: RemovalReason, names: Iterable<string>): ReactorError[] {
    const errors: ReactorError[] = [];
    for (const name of names) {
      try {
        this.reactorMap.get(name)?.removePeer?.(peer, reason);
      } catch (err) {
        errors.push(new ReactorError(name, "removePeer", peer.ref, err));
      }
    }
    return errors;
  }

  /**
   * Delivers one message of `peer`: decoded with the channel's codec (a failure stops the peer
   * with {@link DecodeError}), then to `messages$` (subscribers guarded) and to the owner's
   * `receive` (a throw stops the peer with {@link ReactorError}).
   */
  route(peer: Peer, channelId: number, bytes: Uint8Array): void {
    const owner = this.owners.get(channelId);
    if (owner === undefined) return; // the connection only declares owned channels
    let message: unknown = bytes;
    if (owner.descriptor.codec !== undefined) {
      try {
        message = owner.descriptor.codec.decode(bytes);
      } catch (err) {
        peer.connection.abort(new DecodeError(channelId, peer.ref, err));
        return;
      }
    }
    const envelope: Envelope<unknown> = { peer, channelId, message };
    const previous = this.delivering;
    this.delivering = envelope;
    try {
      owner.subject.next(envelope);
    } catch (err) {
      this.onThrow("messages$", err, peer);
    } finally {
      this.delivering = previous;
    }
    if (!peer.connection.isRunning) return;
    try {
      owner.reactor.receive?.(envelope);
    } catch (err) {
      peer.connection.abort(new ReactorError(owner.name, "receive", peer.ref, err));
    }
  }

  /** Completes every channel's `messages$`. */
  complete(): void {
    for (const o of this.owners.values()) o.subject.complete();
  }
}
