/**
 * The channels a CometBFT node declares, with its priorities and capacities, for talking to
 * real nodes and naming their traffic.
 * @module
 */
import type { SwitchChannelDescriptor } from "./reactor.js";

/** One of CometBFT's built-in channels. */
export interface CometbftChannel extends SwitchChannelDescriptor {
  /** The reactor and stream, e.g. `"consensus/vote"`. */
  readonly name: string;
  readonly priority: number;
  readonly sendQueueCapacity: number;
  readonly recvMessageCapacity: number;
}

/** CometBFT's channels (v0.38 and v1 alike), in the order a node advertises them. */
export const COMETBFT_CHANNELS: readonly CometbftChannel[] = [
  { id: 0x40, name: "blocksync", priority: 5, sendQueueCapacity: 1000, recvMessageCapacity: 104_857_605 },
  { id: 0x20, name: "consensus/state", priority: 6, sendQueueCapacity: 100, recvMessageCapacity: 1_048_576 },
  { id: 0x21, name: "consensus/data", priority: 10, sendQueueCapacity: 100, recvMessageCapacity: 1_048_576 },
  { id: 0x22, name: "consensus/vote", priority: 7, sendQueueCapacity: 100, recvMessageCapacity: 1_048_576 },
  { id: 0x23, name: "consensus/vote-set-bits", priority: 1, sendQueueCapacity: 2, recvMessageCapacity: 1_048_576 },
  { id: 0x30, name: "mempool", priority: 5, sendQueueCapacity: 1, recvMessageCapacity: 1_048_584 },
  { id: 0x38, name: "evidence", priority: 6, sendQueueCapacity: 1, recvMessageCapacity: 1_048_576 },
  { id: 0x60, name: "statesync/snapshot", priority: 5, sendQueueCapacity: 10, recvMessageCapacity: 4_000_000 },
  { id: 0x61, name: "statesync/chunk", priority: 3, sendQueueCapacity: 10, recvMessageCapacity: 16_000_000 },
  { id: 0x00, name: "pex", priority: 1, sendQueueCapacity: 10, recvMessageCapacity: 64_000 },
];

/** The name of CometBFT's channel `id` (e.g. `"consensus/vote"`), or its hex id. */
export function cometbftChannelName(id: number): string {
  return COMETBFT_CHANNELS.find((c) => c.id === id)?.name ?? `0x${id.toString(16).padStart(2, "0")}`;
}
