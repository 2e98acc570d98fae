/**
 * `rx-mconn/testing`: connected pairs without sockets, for users' tests. Give them a
 * `TestScheduler` and everything — delivery, flushes, keepalive, timeouts — runs in virtual
 * time, so a reactor can be marble-tested.
 * @module
 */
import type { SchedulerLike } from "rxjs";
import { duplexPair } from "../duplex/duplex-pair.js";
import type { ChannelDescriptor } from "../mconn/channel-descriptor.js";
import type { MConnectionConfig } from "../mconn/config.js";
import { MConnection } from "../mconn/mconnection.js";

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
 * delivered synchronously). With a `TestScheduler`, what is sent at frame N arrives at frame N.
 * Keepalive timers run for as long as a connection lives, so inside `TestScheduler.run` close one
 * end (the other then ends too) at some frame, or the run never runs out of work.
 *
 * @example
 * testScheduler.run(({ expectObservable }) => {
 *   const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: testScheduler });
 *   a.trySend(1, Uint8Array.of(42));
 *   expectObservable(b.channel(1).messages$.pipe(take(1))).toBe("(m|)", { m: Uint8Array.of(42) });
 *   testScheduler.schedule(() => void a.close(), 10);
 * });
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
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler, flushScheduler: options.scheduler }),
    });
  const pair: [MConnection, MConnection] = [make(da), make(db)];
  // Nothing is delivered synchronously, so subscribing right after this call misses nothing.
  for (const c of pair) c.start();
  return pair;
}
