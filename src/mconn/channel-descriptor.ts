/**
 * What a connection knows about each channel, fixed when the connection starts.
 * @module
 */
import { ConfigError } from "../error-base.js";

/** One channel of a connection, as declared by the reactor that owns it. */
export interface ChannelDescriptor {
  /** The channel's one-byte id (0–255). */
  readonly id: number;
  /** Relative share of the outbound bandwidth under contention (positive). Default 1. */
  readonly priority?: number;
  /** Whole messages that may wait in the send queue (beyond the one being sent). Default 1. */
  readonly sendQueueCapacity?: number;
  /** Largest message accepted from the peer on this channel, in bytes. Default 21 MiB. */
  readonly recvMessageCapacity?: number;
}

/** A {@link ChannelDescriptor} with every default filled in. */
export type ResolvedChannelDescriptor = Required<ChannelDescriptor>;

/** CometBFT's channel defaults (applied where a descriptor leaves a value out). */
export const channelDefaults = Object.freeze({
  priority: 1, // CometBFT treats priority 0 as 1
  sendQueueCapacity: 1, // defaultSendQueueCapacity
  recvMessageCapacity: 22_020_096, // defaultRecvMessageCapacity (21 MiB)
});

/**
 * Fills in defaults and checks the list: ids 0–255 without duplicates, positive priorities and
 * capacities.
 * @throws {ConfigError} naming every descriptor and rule broken.
 */
export function resolveChannels(descriptors: readonly ChannelDescriptor[]): ResolvedChannelDescriptor[] {
  const errors: string[] = [];
  const seen = new Set<number>();
  if (descriptors.length === 0) errors.push("at least one channel must be declared.");
  const resolved = descriptors.map((d) => {
    const r: ResolvedChannelDescriptor = {
      id: d.id,
      priority: d.priority ?? channelDefaults.priority,
      sendQueueCapacity: d.sendQueueCapacity ?? channelDefaults.sendQueueCapacity,
      recvMessageCapacity: d.recvMessageCapacity ?? channelDefaults.recvMessageCapacity,
    };
    if (!Number.isInteger(r.id) || r.id < 0 || r.id > 255) errors.push(`channel id must be an integer 0–255, got ${r.id}.`);
    else if (seen.has(r.id)) errors.push(`channel ${r.id} is declared twice.`);
    seen.add(r.id);
    if (!(r.priority > 0) || !Number.isFinite(r.priority)) errors.push(`channel ${r.id}: priority must be positive, got ${r.priority}.`);
    if (!Number.isSafeInteger(r.sendQueueCapacity) || r.sendQueueCapacity < 1)
      errors.push(`channel ${r.id}: sendQueueCapacity must be a positive integer, got ${r.sendQueueCapacity}.`);
    if (!Number.isSafeInteger(r.recvMessageCapacity) || r.recvMessageCapacity < 0)
      errors.push(`channel ${r.id}: recvMessageCapacity must be a non-negative integer, got ${r.recvMessageCapacity}.`);
    return r;
  });
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return resolved;
}
