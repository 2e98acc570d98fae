/**
 * The plaintext first step of the secret handshake: X25519 ephemeral keys (Node's `crypto`),
 * their wire message and the Diffie-Hellman secret.
 * @module
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import { HandshakeError } from "./errors.js";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

/** An X25519 key pair. */
export interface EphemeralKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

/**
 * A fresh random key pair, or the pair of `privateKey` (32 bytes, clamped inside X25519; for
 * reproducible tests). Keys stay `KeyObject`s: importing key material is the slow part of
 * OpenSSL's X25519 (DER import costs about ten times a JWK import), so it is done at most once.
 */
export function ephemeralKeys(privateKey?: Uint8Array): EphemeralKeys {
  let key: KeyObject;
  if (privateKey === undefined) {
    key = generateKeyPairSync("x25519").privateKey;
  } else {
    if (privateKey.length !== 32) throw new RangeError("an X25519 private key has 32 bytes");
    key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, privateKey]), format: "der", type: "pkcs8" });
  }
  const jwk = createPublicKey(key).export({ format: "jwk" });
  return { privateKey: key, publicKey: new Uint8Array(Buffer.from(jwk.x!, "base64url")) };
}

/** The first message a side writes: `uvarint(34) ‖ BytesValue{value: publicKey}` (35 bytes). */
export function encodeEphemeralMessage(publicKey: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(0x22, 0x0a, 0x20), publicKey]);
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
 * X25519(ours, theirs).
 * @throws {HandshakeError} `low-order-key` when the result is all zeros (a low-order point).
 */
export function sharedSecret(ours: EphemeralKeys, theirPublicKey: Uint8Array): Uint8Array {
  let secret: Buffer;
  try {
    secret = diffieHellman({
      privateKey: ours.privateKey,
      publicKey: createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(theirPublicKey).toString("base64url") }, format: "jwk" }),
    });
  } catch (err) {
    throw new HandshakeError("low-order-key", "the remote ephemeral key gives no shared secret", { cause: err });
  }
  if (secret.every((b) => b === 0)) throw new HandshakeError("low-order-key", "the remote ephemeral key is of low order (all-zero shared secret)");
  return new Uint8Array(secret);
}
