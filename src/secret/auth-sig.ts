/**
 * The authentication step, inside the encrypted stream: each side signs the challenge with its
 * node key and sends `AuthSigMessage{pub_key, sig}`.
 * @module
 */
import { AuthSigMessage } from "../proto/tendermint/p2p/conn.js";
import { HandshakeError } from "./errors.js";
import { verifyEd25519, type NodeKey } from "./node-key.js";

/** The `AuthSigMessage` body (without length prefix) proving `key` holds the challenge. */
export function encodeAuthSig(key: NodeKey, challenge: Uint8Array): Uint8Array {
  return AuthSigMessage.encode({ pubKey: { sum: { $case: "ed25519", value: key.publicKey } }, sig: key.sign(challenge) }).finish();
}

/**
 * Checks the remote's `AuthSigMessage` body against the challenge and returns its Ed25519
 * public key.
 * @throws {HandshakeError} `auth-message` (undecodable), `key-type` (not a 32-byte Ed25519
 * key) or `signature` (not 64 bytes, or not valid over the challenge).
 */
export function verifyAuthSig(body: Uint8Array, challenge: Uint8Array): Uint8Array {
  let message: AuthSigMessage;
  try {
    message = AuthSigMessage.decode(body);
  } catch (err) {
    throw new HandshakeError("auth-message", "AuthSigMessage does not decode", { cause: err });
  }
  const sum = message.pubKey?.sum;
  if (sum === undefined) throw new HandshakeError("key-type", "AuthSigMessage carries no public key");
  if (sum.$case !== "ed25519") throw new HandshakeError("key-type", `expected an ed25519 key, got ${sum.$case}`);
  if (sum.value.length !== 32) throw new HandshakeError("key-type", `an ed25519 key has 32 bytes, not ${sum.value.length}`);
  if (message.sig.length !== 64) throw new HandshakeError("signature", `an ed25519 signature has 64 bytes, not ${message.sig.length}`);
  if (!verifyEd25519(sum.value, challenge, message.sig)) throw new HandshakeError("signature", "challenge verification failed");
  return sum.value;
}
