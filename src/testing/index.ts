/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * `rx-mconn/testing`: connected pairs without sockets, for users' tests, and whole networks of
 * Switches in virtual time ({@link simulateNetwork}). Give the pairs a
 * `TestScheduler` and everything — delivery, flushes, keepalive, timeouts — runs in virtual
 * time, so a reactor can be marble-tested. Virtual time is bounded: a test whose connections
 * are still alive `maxFrames` after the helper's call (default {@link DEFAULT_MAX_FRAMES}, one
 * virtual hour) fails with {@link VirtualTimeExceededError}, naming what was still scheduled,
 * instead of spinning `TestScheduler.run` forever.
 * @module rx-mconn/testing
 */
import type { SchedulerLike } from "rxjs";
import { duplexPair } from "../duplex/duplex-pair.js";
import type { ChannelDescriptor } from "../mconn/channel-descriptor.js";
import type { MConnectionConfig } from "../mconn/config.js";
import { MConnection } from "../mconn/mconnection.js";
import { Peer } from "../p2p/peer.js";
import type { NodeInfo } from "../p2p/node-info.js";
import { TrackedScheduler } from "./tracked-scheduler.js";
import { boundVirtualTime, DEFAULT_MAX_FRAMES } from "./virtual-time-bound.js";

export { DEFAULT_MAX_FRAMES, VirtualTimeExceededError } from "./virtual-time-bound.js";
export type { PendingAction } from "./tracked-scheduler.js";
export { simulateNetwork, type Simulation, type SimulatedNode, type SimPeerEvent } from "./sim/simulate-network.js";
export type { NetworkSpec, SimNodeSpec, SimNodeInfo, SimEvent, NodesEvent, PartitionEvent, HealEvent, SimSwitchOptions, SimPexOptions, AttackerSpec } from "./sim/network-spec.js";
export type { NetworkSample, Spread, NodeSummary, Durations, SimulationReport } from "./sim/network-sample.js";
export { linkDefaults, type LinkModel } from "./sim/sim-link.js";
export type { SimDial, SimDialOutcome } from "./sim/sim-network.js";

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
  /**
   * With a virtual-time scheduler (a `TestScheduler`): how long (virtual ms from this call) the
   * connections may live. If either still has work scheduled then, the scheduler's flush (so
   * `TestScheduler.run`) throws {@link VirtualTimeExceededError} naming it. Default
   * {@link DEFAULT_MAX_FRAMES} (one virtual hour); `Infinity` turns the bound off. Ignored in
   * real time.
   */
  readonly maxFrames?: number;
}

/**
 * Two started {@link MConnection}s joined in memory. Subscribe right after the call (nothing is
 * delivered synchronously). With a `TestScheduler`, what is sent at frame N arrives at frame N;
 * inside `run`, `expectObservable` subscribes only once the callback has returned, so send from
 * scheduled actions, as below — a message sent in the callback itself arrives before it listens.
 * Keepalive timers run for as long as a connection lives, so inside `TestScheduler.run` close one
 * end (the other then ends too) at some frame: a pair still alive `maxFrames` after this call
 * (default one virtual hour) fails the run with {@link VirtualTimeExceededError}.
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
  return pairOf(options, ["connectedPair[0]", "connectedPair[1]"]);
}

/** The pair, its work labelled with `names` when the scheduler is virtual, and bounded. */
function pairOf(options: ConnectedPairOptions, names: readonly [string, string]): [MConnection, MConnection] {
  const base = options.scheduler;
  const trackers: TrackedScheduler[] = [];
  const tracked = (label: string): SchedulerLike | undefined => {
    if (base === undefined) return undefined;
    const t = new TrackedScheduler(base, label);
    trackers.push(t);
    return t;
  };
  // first: a bad maxFrames throws before anything exists; the check reads `trackers` when it runs
  if (base !== undefined) boundVirtualTime(base, options.maxFrames ?? DEFAULT_MAX_FRAMES, trackers);
  const delivery = tracked(`delivery between ${names[0]} and ${names[1]}`);
  const [da, db] = duplexPair({
    ...(delivery === undefined ? {} : { scheduler: delivery }),
    ...(options.splitSeed === undefined ? {} : { splitSeed: options.splitSeed }),
  });
  const make = (d: typeof da, name: string) => {
    const timers = tracked(`keepalive pings and timers of ${name}`);
    const writes = tracked(`writes of ${name}`);
    return new MConnection(d, {
      channels: options.channels,
      config: { sendRate: 0, recvRate: 0, ...options.config },
      ...(timers === undefined || writes === undefined ? {} : { scheduler: timers, flushScheduler: writes, yieldScheduler: writes }),
    });
  };
  const pair: [MConnection, MConnection] = [make(da, names[0]), make(db, names[1])];
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
 * switch or sockets. Each NodeInfo lists all the channels. Same timing rules and bound as
 * connectedPair (an error names the ends `connectedPeers[0]` and `connectedPeers[1]`).
 */
export function connectedPeers(options: ConnectedPeersOptions): [Peer, Peer] {
  // ca carries peerB (index 1), cb peerA (index 0)
  const [ca, cb] = pairOf(options, ["connectedPeers[1]", "connectedPeers[0]"]);
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
