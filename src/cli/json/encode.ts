/**
 * Values as CometBFT's RPC writes them in JSON: hashes and addresses in upper-case hex, other
 * bytes in base64, 64-bit integers as decimal strings, times as Go writes a `time.Time`.
 * @module
 */
import type { Timestamp } from "../../proto/google/protobuf/timestamp.js";

/** `bytes` in standard base64. */
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** `bytes` in base64, or null when empty (Go's nil `[]byte`, as a decoded empty field is). */
export const base64OrNull = (bytes: Uint8Array): string | null => (bytes.length === 0 ? null : base64(bytes));

/** A 64-bit integer as a decimal string. */
export const int = (n: bigint | number): string => n.toString();

/**
 * A protobuf `Timestamp` as Go's `time.Time` marshals it (RFC 3339 in UTC, the fraction to
 * nanoseconds without trailing zeros); a missing one is Go's zero time, `0001-01-01T00:00:00Z`.
 */
export function rfc3339(t: Timestamp | undefined): string {
  const seconds = t?.seconds ?? -62135596800n;
  const nanos = t?.nanos ?? 0;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${whole}${fraction}Z`;
}

/** Milliseconds since the epoch as {@link rfc3339} writes a time. */
export const rfc3339Ms = (ms: number): string => rfc3339({ seconds: BigInt(Math.floor(ms / 1000)), nanos: Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1e6) });
