/**
 * What the book knows of one address: where we heard of it, its buckets, attempts and times
 * (ms since the epoch; 0 means never). Mirrors CometBFT's `knownAddress`.
 * @module
 */
import type { NetAddress } from "../p2p/netaddress.js";
import { bookParams } from "./params.js";

/** Bucket type: new (never connected) or old (connected at least once). As in the file: 1 and 2. */
export const BucketType = Object.freeze({ new: 1, old: 2 } as const);
/** 1 (new) or 2 (old). */
export type BucketType = (typeof BucketType)[keyof typeof BucketType];

/** One address in the book. */
export interface KnownAddress {
  readonly addr: NetAddress;
  /** The peer that told us of it (itself, for an inbound peer). */
  readonly src: NetAddress;
  /** Indices of the buckets (of `bucketType`) that hold it. */
  buckets: number[];
  /** Failed attempts since the last success. */
  attempts: number;
  bucketType: BucketType;
  lastAttempt: number;
  lastSuccess: number;
  /** Banned until this time. */
  lastBanTime: number;
}

const DAY = 24 * 3600_000;

/** A fresh new-bucket entry; its last attempt is `now`, as in CometBFT. */
export function newKnownAddress(addr: NetAddress, src: NetAddress, now: number): KnownAddress {
  return { addr, src, buckets: [], attempts: 0, bucketType: BucketType.new, lastAttempt: now, lastSuccess: 0, lastBanTime: 0 };
}

/**
 * CometBFT's `isBad`: a new address not tried in the last minute that was not tried for
 * `numMissingDays`, or failed `numRetries` times without ever succeeding, or failed
 * `maxFailures` times with no success in `minBadDays`. Old addresses are never bad.
 */
export function isBad(ka: KnownAddress, now: number): boolean {
  const p = bookParams;
  if (ka.bucketType === BucketType.old) return false;
  if (ka.lastAttempt > now - 60_000) return false;
  if (ka.lastAttempt < now - p.numMissingDays * DAY) return true;
  if (ka.lastSuccess === 0 && ka.attempts >= p.numRetries) return true;
  return ka.lastSuccess < now - p.minBadDays * DAY && ka.attempts >= p.maxFailures;
}

/** Still banned at `now`. */
export function isBanned(ka: KnownAddress, now: number): boolean {
  return ka.lastBanTime > now;
}
