/**
 * The secret handshake, from a raw duplex to an encrypted, authenticated one.
 * @module
 */
import { asyncScheduler, timer, type SchedulerLike } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { readDelimited } from "../wire/read-delimited.js";
import { PacketTooLargeError, TruncatedError } from "../wire/errors.js";
import { TimeoutError } from "../error-base.js";
import { encodeUvarint } from "../wire/uvarint.js";
import { encodeAuthSig, verifyAuthSig } from "./auth-sig.js";
import { decodeEphemeralMessage, encodeEphemeralMessage, ephemeralKeys, sharedSecret } from "./ephemeral-key.js";
import { HandshakeError, type HandshakeRule } from "./errors.js";
import { deriveSession } from "./key-schedule.js";
import { nodeIdOf, type NodeKey } from "./node-key.js";
import { secretDuplex } from "./secret-duplex.js";

/** Default bound on the whole secret handshake, as CometBFT's transport sets it (ms). */
export const DEFAULT_SECRET_HANDSHAKE_TIMEOUT = 3000;
/**
 * Largest handshake message accepted. CometBFT allows 1 MiB, but sends 34 (ephemeral key) and
 * 102 (AuthSigMessage) bytes; a small bound keeps a pending handshake's memory small.
 */
const MAX_HANDSHAKE_MESSAGE = 1024;

/** Options of {@link secretHandshake}. */
export interface SecretHandshakeOptions {
  /** Bound on the whole handshake in ms (default 3000); `0` means none. */
  readonly timeout?: number;
  /** Clock of the timeout. */
  readonly scheduler?: SchedulerLike;
  /**
   * The X25519 ephemeral private key, **for tests only** (reproducing a handshake byte for
   * byte); by default a fresh random key per connection, as security requires.
   */
  readonly ephemeralPrivateKey?: Uint8Array;
  /**
   * Plaintext to send right behind our `AuthSigMessage`, in the same write and frame, before
   * the remote's signature is checked (the caller's next message, e.g. a length-prefixed
   * NodeInfo): the remote reads it after the handshake as the first bytes of the stream. It
   * goes to whoever completed the key exchange, proven or not.
   */
  readonly early?: Uint8Array;
}

/** An encrypted connection and who is on the other end. */
export interface SecretConnection {
  /** The plaintext side of the encrypted stream. */
  readonly duplex: ByteDuplex;
  /** The remote's Ed25519 public key (32 bytes), proven by its signature. */
  readonly remotePublicKey: Uint8Array;
  /** The remote's node ID, derived from that key. */
  readonly remoteId: string;
}

/**
 * Runs CometBFT's SecretConnection handshake over `raw`: exchanges X25519 ephemeral keys (ours
 * written before theirs is read), derives keys and challenge, then, encrypted, exchanges signed
 * `AuthSigMessage`s (ours, with `options.early` behind it, written before theirs is read) and
 * checks theirs. On failure `raw` is destroyed.
 * @throws {HandshakeError} naming the step (`truncated` included), {@link TimeoutError} (stage
 * `secret-handshake`) past `timeout`, or a
 * {@link FrameAuthenticationError} when the AuthSigMessage's frame was tampered with.
 */
export async function secretHandshake(raw: ByteDuplex, nodeKey: NodeKey, options: SecretHandshakeOptions = {}): Promise<SecretConnection> {
  const ms = options.timeout ?? DEFAULT_SECRET_HANDSHAKE_TIMEOUT;
  if (ms <= 0) return run(raw, nodeKey, options).catch(fail(raw));
  return new Promise<SecretConnection>((resolve, reject) => {
    const deadline = timer(ms, options.scheduler ?? asyncScheduler).subscribe(() => {
      const err = new TimeoutError("secret-handshake", ms);
      raw.destroy(err);
      reject(err);
    });
    run(raw, nodeKey, options)
      .catch(fail(raw))
      .finally(() => deadline.unsubscribe())
      .then(resolve, reject);
  });
}

function fail(raw: ByteDuplex) {
  return (err: unknown): never => {
    raw.destroy(err instanceof Error ? err : undefined);
    throw err;
  };
}

/** Reads one handshake message, mapping stream-level failures to the step's rule. */
async function readStep(duplex: ByteDuplex, rule: HandshakeRule, what: string) {
  try {
    return await readDelimited(duplex, { maxSize: MAX_HANDSHAKE_MESSAGE });
  } catch (err) {
    if (err instanceof TruncatedError) throw new HandshakeError("truncated", `stream ended before the ${what}`, { cause: err });
    if (err instanceof PacketTooLargeError) throw new HandshakeError(rule, `${what} announced ${err.announced} bytes`, { cause: err });
    throw err;
  }
}

async function run(raw: ByteDuplex, nodeKey: NodeKey, options: SecretHandshakeOptions): Promise<SecretConnection> {
  const ours = ephemeralKeys(options.ephemeralPrivateKey);
  raw.write(encodeEphemeralMessage(ours.publicKey));
  const first = await readStep(raw, "ephemeral-key", "ephemeral key");
  const theirs = decodeEphemeralMessage(first.message);
  if (Buffer.from(theirs).equals(ours.publicKey)) throw new HandshakeError("same-ephemeral-key", "the remote sent our own ephemeral key back");
  const session = deriveSession(ours.publicKey, theirs, sharedSecret(ours, theirs));

  const duplex = secretDuplex(first.rest, session);
  const auth = encodeAuthSig(nodeKey, session.challenge);
  duplex.write(Buffer.concat([encodeUvarint(auth.length), auth, options.early ?? new Uint8Array(0)]));
  const second = await readStep(duplex, "auth-message", "AuthSigMessage");
  const remotePublicKey = verifyAuthSig(second.message, session.challenge);
  return { duplex: second.rest, remotePublicKey, remoteId: nodeIdOf(remotePublicKey) };
}
