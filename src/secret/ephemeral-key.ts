/**
 * The plaintext first step of the secret handshake: X25519 ephemeral keys (libsodium, via
 * `sodium-native`), their wire message and the Diffie-Hellman secret.
 * @module
 */
import { sodium } from "./sodium.js";
import { bufferView } from "./buffer-view.js";
import { HandshakeError } from "./errors.js";


/** An X25519 key pair, raw. */
export interface EphemeralKeys {
  /** The 32-byte scalar (clamped inside X25519). */
  readonly privateKey: Uint8Array;
  /** The 32-byte public point. */
  readonly publicKey: Uint8Array;
}

/**
 * A fresh random key pair, or the pair of `privateKey` (32 bytes; for reproducible tests).
 * Raw scalar multiplication on byte arrays: no key object is built or imported (why: see
 * docs/secret-connection.md, "the handshake's own cryptography").
 */
export function ephemeralKeys(privateKey?: Uint8Array): EphemeralKeys {
  const secret = Buffer.alloc(32);
  if (privateKey === undefined) {
    sodium().randombytes_buf(secret);
  } else {
    if (privateKey.length !== 32) throw new RangeError("an X25519 private key has 32 bytes");
    secret.set(privateKey);
  }
  const publicKey = Buffer.alloc(32);
  sodium().crypto_scalarmult_base(publicKey, secret);
  return { privateKey: secret, publicKey };
}

/** The first message a side writes: `uvarint(34) ‖ BytesValue{value: publicKey}` (35 bytes). */
export function encodeEphemeralMessage(publicKey: Uint8Array): Uint8Array {
  const message = Buffer.allocUnsafe(35);
  message[0] = 0x22;
  message[1] = 0x0a;
  message[2] = 0x20;
  message.set(publicKey, 3);
  return message;
}

/**
 * The public key in the body of a `BytesValue` message (without its length prefix). Only the
 * form CometBFT writes, a single 32-byte `value` field, is accepted.
 * @throws {HandshakeError} `ephemeral-key`.
 */
export function decodeEphemeralMessage(body: Uint8Array): Uint8Array {
  if (body.length !== 34 || body[0] !== 0x0a || body[1] !== 0x20)
    throw new HandshakeError("ephemeral-key", `expected a BytesValue holding 32 bytes, got ${body.length} bytes starting ${Buffer.from(body.subarray(0, 2)).toString("hex")}`);
  return body.slice(2);
}

/**
 * X25519(ours, theirs). libsodium refuses the low-order points (and non-canonical encodings of
 * them) up front and an all-zero result after, which is the same set of keys: with a clamped
 * scalar exactly the low-order points give zero.
 * @throws {HandshakeError} `low-order-key` when the result is all zeros (a low-order point).
 */
export function sharedSecret(ours: EphemeralKeys, theirPublicKey: Uint8Array): Uint8Array {
  if (theirPublicKey.length !== 32) throw new HandshakeError("ephemeral-key", `an X25519 key has 32 bytes, not ${theirPublicKey.length}`);
  const secret = Buffer.alloc(32);
  try {
    sodium().crypto_scalarmult(secret, bufferView(ours.privateKey), bufferView(theirPublicKey));
  } catch (err) {
    throw new HandshakeError("low-order-key", "the remote ephemeral key is of low order (all-zero shared secret)", { cause: err });
  }
  // libsodium already fails on this; kept so the rule does not rest on one library's checks.
  if (secret.every((b) => b === 0)) throw new HandshakeError("low-order-key", "the remote ephemeral key is of low order (all-zero shared secret)");
  return secret;
}
