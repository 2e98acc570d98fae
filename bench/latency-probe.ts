/**
 * The priority-latency workload, shared by both ends (bench/cases/priority-latency.ts sends,
 * bench/peer.ts receives; bench/go-mconn/latency.go is the same for Go): channels 1 and 4
 * (priorities 1 and 4) saturated with 64 KiB messages while channel 5 (priority 5) carries a
 * 64-byte probe every 10 ms. A probe carries the time it was due (its latency counts from
 * then: a sender late to send it, e.g. with its event loop busy, adds to it), the time it was
 * handed to the connection (the transit part counts from then), and its number; both ends read
 * the same monotonic clock (`process.hrtime`, one machine).
 */
import type { ChannelDescriptor } from "../src/mconn/channel-descriptor.js";

export const PROBE_CHANNEL = 5;
export const BULK_CHANNELS = [1, 4] as const;
export const PROBE_SIZE = 64;
export const PROBE_EVERY_MS = 10;
export const BULK_MESSAGE = 64 * 1024;
/** Bulk runs this long before the first probe. */
export const WARM_UP_MS = 500;

/** The channels of both ends. */
export const LATENCY_CHANNELS: readonly ChannelDescriptor[] = [
  { id: 1, priority: 1, sendQueueCapacity: 4, recvMessageCapacity: 1 << 20 },
  { id: 4, priority: 4, sendQueueCapacity: 4, recvMessageCapacity: 1 << 20 },
  { id: PROBE_CHANNEL, priority: 5, sendQueueCapacity: 100, recvMessageCapacity: 1 << 20 },
];

/** What the sink reports once the last probe arrived (the Go sink reports the same). */
export interface LatencyReport {
  /** One-way latency of each probe from the time it was due, in µs, in order of arrival. */
  readonly latencies: number[];
  /** The same from the time it was handed to the connection. */
  readonly transit: number[];
  /** Bulk bytes received from the first probe to the last. */
  readonly bulkBytes: number;
  /** Time from the first probe to the last, in ms. */
  readonly ms: number;
}

/** Probe `seq`, due at `dueNs` on the monotonic clock, handed to the connection now. */
export function probe(seq: number, dueNs: bigint): Uint8Array {
  const b = Buffer.alloc(PROBE_SIZE);
  b.writeBigUInt64LE(dueNs, 0);
  b.writeUInt32LE(seq, 8);
  b.writeBigUInt64LE(process.hrtime.bigint(), 16);
  return b;
}

/**
 * The receiving side's bookkeeping: `received` for every message; the report once probe
 * `count − 1` arrived.
 */
export function latencyRecorder(count: number): { received(channelId: number, message: Uint8Array): LatencyReport | undefined } {
  const latencies: number[] = [];
  const transit: number[] = [];
  let bulk = 0;
  let bulkAtFirst = 0;
  let first = 0n;
  let reported = false;
  return {
    received(channelId, message) {
      const now = process.hrtime.bigint();
      if (channelId !== PROBE_CHANNEL) {
        bulk += message.length;
        return undefined;
      }
      const b = Buffer.from(message.buffer, message.byteOffset, message.length);
      if (latencies.length === 0) {
        first = now;
        bulkAtFirst = bulk;
      }
      latencies.push(Number(now - b.readBigUInt64LE(0)) / 1e3);
      transit.push(Number(now - b.readBigUInt64LE(16)) / 1e3);
      if (reported || b.readUInt32LE(8) !== count - 1) return undefined;
      reported = true;
      return { latencies, transit, bulkBytes: bulk - bulkAtFirst, ms: Number(now - first) / 1e6 };
    },
  };
}
