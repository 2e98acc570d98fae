/**
 * From the Diffie-Hellman secret to the session: the Merlin transcript's challenge and the
 * HKDF-SHA256 key split, exactly as CometBFT derives them.
 * @module
 */
import { hkdfSha256 } from "./hkdf-sha256.js";
import { Transcript } from "./merlin.js";

const HKDF_INFO = new TextEncoder().encode("TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN");
/** The transcript after its domain separator, the same for every handshake: built once, cloned. */
const TRANSCRIPT_START = new Transcript("TENDERMINT_SECRET_CONNECTION_TRANSCRIPT_HASH");

/** What both sides derive: the keys (from our point of view) and the challenge to sign. */
export interface SessionSecrets {
  readonly sendKey: Uint8Array;
  readonly recvKey: Uint8Array;
  readonly challenge: Uint8Array;
  /** Whether our ephemeral public key sorts first. */
  readonly localIsLeast: boolean;
}

/** Unsigned bytewise comparison. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** The two keys in the first 64 bytes of `okm`, ours to send and to receive. */
function keysOf(okm: Uint8Array, localIsLeast: boolean): { sendKey: Uint8Array; recvKey: Uint8Array } {
  const first = okm.subarray(0, 32);
  const second = okm.subarray(32, 64);
  return localIsLeast ? { recvKey: first, sendKey: second } : { sendKey: first, recvKey: second };
}

/**
 * The send/receive keys from the DH secret: HKDF-SHA256 (no salt, CometBFT's info string), 96
 * bytes of which the first 64 are used; the side whose key sorts first receives with the first
 * 32 and sends with the next 32, the other side the reverse. (A session derives only the 64
 * bytes it uses: HKDF's first blocks do not depend on the length asked for.)
 */
export function splitKeys(dhSecret: Uint8Array, localIsLeast: boolean): { sendKey: Uint8Array; recvKey: Uint8Array; okm: Uint8Array } {
  const okm = hkdfSha256(dhSecret, HKDF_INFO, 96);
  return { ...keysOf(okm, localIsLeast), okm };
}

/**
 * The session's secrets. The transcript absorbs the lower then the upper ephemeral key and the
 * DH secret, then yields the 32-byte challenge under `SECRET_CONNECTION_MAC`.
 */
export function deriveSession(localEphemeral: Uint8Array, remoteEphemeral: Uint8Array, dhSecret: Uint8Array): SessionSecrets {
  // Equal keys are refused before this (see secretHandshake).
  const localIsLeast = compareBytes(localEphemeral, remoteEphemeral) < 0;
  const [lo, hi] = localIsLeast ? [localEphemeral, remoteEphemeral] : [remoteEphemeral, localEphemeral];
  const transcript = TRANSCRIPT_START.clone();
  transcript.appendMessage("EPHEMERAL_LOWER_PUBLIC_KEY", lo);
  transcript.appendMessage("EPHEMERAL_UPPER_PUBLIC_KEY", hi);
  transcript.appendMessage("DH_SECRET", dhSecret);
  const challenge = transcript.challengeBytes("SECRET_CONNECTION_MAC", 32);
  const { sendKey, recvKey } = keysOf(hkdfSha256(dhSecret, HKDF_INFO, 64), localIsLeast);
  return { sendKey, recvKey, challenge, localIsLeast };
}
