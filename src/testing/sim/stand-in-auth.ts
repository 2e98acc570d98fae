/**
 * A cheap stand-in for SecretConnection, for networks of thousands of simulated nodes.
 *
 * What it keeps: a node ID is bound to a key. Each simulated node holds a 32-byte secret; its
 * ID is the first 20 bytes of SHA-256 of that secret (as a real ID is of the public key). The
 * handshake takes two messages each way, as SecretConnection's does (so two round trips):
 * `hello` (the claimed ID and a fresh 16-byte nonce), then `proof`: SHA-256 over the sender's
 * secret and both nonces. The receiver checks the proof against the secret the simulation's
 * {@link KeyRing} holds for the claimed ID, so a node cannot pass as an ID whose key it does not
 * hold, a proof cannot be replayed into another handshake, and the Switch's own checks (the
 * dialed ID, NodeInfo's ID equal to the authenticated one) run as over SecretConnection. Early
 * bytes (our NodeInfo) ride with our proof, as they ride with the `AuthSigMessage`.
 *
 * What it skips: encryption and its framing (bytes cross the link as written: no 1028-byte
 * frames, no 16-byte tags, no X25519, Merlin, HKDF or Ed25519 work); public-key verification,
 * replaced by the in-process key ring acting as a directory of keys.
 * @module
 */
import { createHash } from "node:crypto";
import type { ByteDuplex } from "../../duplex/byte-duplex.js";
import type { Authenticate } from "../../p2p/upgrade.js";
import { HandshakeError } from "../../secret/errors.js";
import { encodeUvarint } from "../../wire/uvarint.js";
import { readDelimited } from "../../wire/read-delimited.js";
import type { SimRandom } from "./random.js";

const HELLO_SIZE = 20 + 16;
const PROOF_SIZE = 32;

/** A simulated node's key: the secret, and the ID derived from it. */
export interface SimKey {
  readonly secret: Uint8Array;
  readonly id: string;
}

/** The simulation's directory of keys: the secret behind each ID (see the module doc). */
export class KeyRing {
  private readonly secrets = new Map<string, Uint8Array>();

  /** A new key from `random`, registered under its ID. */
  create(random: SimRandom): SimKey {
    const secret = random.bytes(32);
    const id = createHash("sha256").update(secret).digest("hex").slice(0, 40);
    this.secrets.set(id, secret);
    return { secret, id };
  }

  /** The secret of `id`, if the ring holds it. */
  secretOf(id: string): Uint8Array | undefined {
    return this.secrets.get(id);
  }
}

function proof(secret: Uint8Array, senderNonce: Uint8Array, receiverNonce: Uint8Array): Buffer {
  return createHash("sha256").update(secret).update(senderNonce).update(receiverNonce).digest();
}

function delimited(body: Uint8Array): Buffer {
  return Buffer.concat([encodeUvarint(body.length), body]);
}

async function read(duplex: ByteDuplex, size: number, what: string): Promise<{ message: Uint8Array; rest: ByteDuplex }> {
  const got = await readDelimited(duplex, { maxSize: size }).catch((err: unknown) => {
    throw new HandshakeError("truncated", `the stream ended or failed before the ${what}`, { cause: err });
  });
  if (got.message.length !== size) throw new HandshakeError("auth-message", `a ${what} of ${got.message.length} bytes, not ${size}`);
  return got;
}

/**
 * The {@link Authenticate} step of a simulated node holding `key`: the stand-in handshake of the
 * module doc, checked against `ring`. Nonces come from `random`.
 */
export function standInAuthenticator(key: SimKey, ring: KeyRing, random: SimRandom): Authenticate {
  const ourId = Buffer.from(key.id, "hex");
  return async (raw, early) => {
    const ourNonce = random.bytes(16);
    raw.write(delimited(Buffer.concat([ourId, ourNonce])));
    const hello = await read(raw, HELLO_SIZE, "hello");
    const remoteId = Buffer.from(hello.message.subarray(0, 20)).toString("hex");
    const theirNonce = hello.message.slice(20, 36);
    const ours = delimited(proof(key.secret, ourNonce, theirNonce));
    hello.rest.write(early === undefined ? ours : Buffer.concat([ours, early]));
    const answer = await read(hello.rest, PROOF_SIZE, "proof");
    const secret = ring.secretOf(remoteId);
    if (secret === undefined || !proof(secret, theirNonce, ourNonce).equals(answer.message))
      throw new HandshakeError("signature", `the proof does not show the key of ${remoteId}`);
    return { duplex: answer.rest, remoteId, sentEarly: early !== undefined };
  };
}
