/**
 * `rx-mconn/testing`: connected pairs without sockets, for users' tests. Give them a
 * `TestScheduler` and everything — delivery, flushes, keepalive, timeouts — runs in virtual
 * time, so a reactor can be marble-tested.
 * @module rx-mconn/testing
 */
import type { SchedulerLike } from "rxjs";
import { duplexPair } from "../duplex/duplex-pair.js";
import type { ChannelDescriptor } from "../mconn/channel-descriptor.js";
import type { MConnectionConfig } from "../mconn/config.js";
import { MConnection } from "../mconn/mconnection.js";
import { Peer } from "../p2p/peer.js";
import type { NodeInfo } from "../p2p/node-info.js";

/** Options of {@link connectedPair}. */
export interface ConnectedPairOptions {
  /** The channels, the same on both ends. */
  readonly channels: readonly ChannelDescriptor[];
  /** Overrides for both ends; rate limits are off unless given here. */
  readonly config?: Partial<MConnectionConfig>;
  /** Timers, clock, delivery and flushes. Default: real time. */
  readonly scheduler?: SchedulerLike;
  /** Cut every chunk at random points (seeded) to exercise reassembly. */
  readonly splitSeed?: number;
}

/**
 * Two started {@link MConnection}s joined in memory. Subscribe right after the call (nothing is
 * delivered synchronously). With a `TestScheduler`, what is sent at frame N arrives at frame N;
 * inside `run`, `expectObservable` subscribes only once the callback has returned, so send from
 * scheduled actions, as below — a message sent in the callback itself arrives before it listens.
 * Keepalive timers run for as long as a connection lives, so inside `TestScheduler.run` close one
 * end (the other then ends too) at some frame, or the run never runs out of work.
 *
 * @example
 * <!-- examples/connected-pair.test.ts -->
 * ```ts
 * import { expect } from "chai";
 * import { take } from "rxjs";
 * import { TestScheduler } from "rxjs/testing";
 * import { connectedPair } from "rx-mconn/testing";
 *
 * it("delivers what one end sends at frame 1 to the other at frame 1", () => {
 *   const testScheduler = new TestScheduler((actual, expected) => {
 *     expect(actual).to.deep.equal(expected);
 *   });
 *   testScheduler.run(({ expectObservable }) => {
 *     const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: testScheduler });
 *     // expectObservable subscribes at frame 0, after the callback returns: send later than that
 *     testScheduler.schedule(() => void a.trySend(1, Uint8Array.of(42)), 1);
 *     expectObservable(b.channel(1).messages$.pipe(take(1))).toBe("-(m|)", { m: Uint8Array.of(42) });
 *     testScheduler.schedule(() => void a.close(), 10);
 *   });
 * });
 * ```
 */
export function connectedPair(options: ConnectedPairOptions): [MConnection, MConnection] {
  const [da, db] = duplexPair({
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    ...(options.splitSeed === undefined ? {} : { splitSeed: options.splitSeed }),
  });
  const make = (d: typeof da) =>
    new MConnection(d, {
      channels: options.channels,
      config: { sendRate: 0, recvRate: 0, ...options.config },
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler, flushScheduler: options.scheduler, yieldScheduler: options.scheduler }),
    });
  const pair: [MConnection, MConnection] = [make(da), make(db)];
  // Nothing is delivered synchronously, so subscribing right after this call misses nothing.
  for (const c of pair) c.start();
  return pair;
}

/** Options of {@link connectedPeers}: those of {@link connectedPair}, and the two node IDs. */
export interface ConnectedPeersOptions extends ConnectedPairOptions {
  /** Node IDs of the two ends (default `aaaa…` and `bbbb…`). */
  readonly ids?: readonly [string, string];
}

/**
 * Two {@link Peer}s over a {@link connectedPair}: `[a, b]` where `a` is b's view of the node at
 * the other end and the reverse — what a reactor receives in `addPeer`, to test it without a
 * switch or sockets. Each NodeInfo lists all the channels. Same timing rules as connectedPair.
 */
export function connectedPeers(options: ConnectedPeersOptions): [Peer, Peer] {
  const [ca, cb] = connectedPair(options);
  const [ida, idb] = options.ids ?? ["a".repeat(40), "b".repeat(40)];
  const info = (id: string): NodeInfo => ({
    protocolVersion: { p2p: 8, block: 11, app: 0 },
    nodeId: id,
    listenAddr: "127.0.0.1:0",
    network: "testing",
    version: "",
    channels: Uint8Array.from(options.channels.map((c) => c.id)),
    moniker: id.slice(0, 8),
    other: { txIndex: "", rpcAddress: "" },
  });
  // ca talks to the node with ID idb, so the Peer over ca is "b" as seen from "a".
  const peerB = new Peer(ca, { id: idb, isOutbound: true, isPersistent: false, nodeInfo: info(idb), socketAddr: "memory:b" });
  const peerA = new Peer(cb, { id: ida, isOutbound: false, isPersistent: false, nodeInfo: info(ida), socketAddr: "memory:a" });
  return [peerA, peerB];
}
