/**
 * Node keys: the Ed25519 identity of a node, its ID, and CometBFT's `node_key.json`.
 * Ed25519 runs on libsodium (via `sodium-native`), on raw bytes; docs/secret-connection.md gives
 * the measurements that chose it over OpenSSL.
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { sodium } from "./sodium.js";
import { bufferView } from "./buffer-view.js";
import { NodeKeyError } from "./errors.js";


/** The Amino type name CometBFT writes in `node_key.json`. */
export const NODE_KEY_TYPE = "tendermint/PrivKeyEd25519";

/** A node's Ed25519 identity. */
export interface NodeKey {
  /** The 32-byte private seed (RFC 8032 private key). */
  readonly seed: Uint8Array;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** The node ID: lowercase hex of the first 20 bytes of SHA-256 of the public key. */
  readonly id: string;
  /** Signs `message` (pure Ed25519, deterministic). */
  sign(message: Uint8Array): Uint8Array;
}

/** The node ID of an Ed25519 public key: hex of the first 20 bytes of its SHA-256. */
export function nodeIdOf(publicKey: Uint8Array): string {
  // libsodium's SHA-256: cheaper than node:crypto's createHash amid handshakes (docs/secret-connection.md)
  const digest = Buffer.allocUnsafe(32);
  sodium().crypto_hash_sha256(digest, bufferView(publicKey));
  return digest.toString("hex", 0, 20);
}

/**
 * The key for a 32-byte seed. The expanded signing key (seed ‖ public key, as libsodium signs
 * with it) is derived here once and kept by the returned key, not rebuilt per signature.
 */
export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  if (seed.length !== 32) throw new NodeKeyError(`an Ed25519 seed has 32 bytes, not ${seed.length}`);
  const publicKey = Buffer.alloc(32);
  const secretKey = Buffer.alloc(64);
  sodium().crypto_sign_seed_keypair(publicKey, secretKey, Buffer.from(seed));
  return {
    seed: new Uint8Array(seed),
    publicKey: new Uint8Array(publicKey),
    id: nodeIdOf(publicKey),
    sign: (message) => {
      const signature = new Uint8Array(64);
      sodium().crypto_sign_detached(bufferView(signature), bufferView(message), secretKey);
      return signature;
    },
  };
}

/** A new random key. */
export function generateNodeKey(): NodeKey {
  const seed = Buffer.alloc(32);
  sodium().randombytes_buf(seed);
  return nodeKeyFromSeed(seed);
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` by `publicKey` (32 bytes).
 * Strict RFC 8032 verification as libsodium does it: besides a canonical `S`, it refuses a
 * public key or an `R` of small order and non-canonical encodings. Only such keys, which no
 * honest node has, are affected: for them a "signature" proves nothing (with the identity
 * point as key, `R` = identity and `S` = 0 passes a plain check for every message).
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  return sodium().crypto_sign_verify_detached(bufferView(signature), bufferView(message), bufferView(publicKey));
}

/**
 * Parses the text of CometBFT's `node_key.json`:
 * `{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<base64 of seed ‖ public key>"}}`.
 * The public half must match the seed.
 * @throws {NodeKeyError} naming what is wrong.
 */
export function parseNodeKey(json: string): NodeKey {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new NodeKeyError("node key file is not JSON", { cause: err });
  }
  const priv = (doc as { priv_key?: { type?: unknown; value?: unknown } | null } | null)?.priv_key;
  if (priv === undefined || priv === null || typeof priv !== "object") throw new NodeKeyError('node key file has no "priv_key" object');
  if (priv.type !== NODE_KEY_TYPE) throw new NodeKeyError(`node key type ${JSON.stringify(priv.type)} is not supported (only ${NODE_KEY_TYPE})`);
  if (typeof priv.value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(priv.value)) throw new NodeKeyError("node key value is not base64");
  const raw = Buffer.from(priv.value, "base64");
  if (raw.length !== 64) throw new NodeKeyError(`node key value holds ${raw.length} bytes, not 64 (seed ‖ public key)`);
  const key = nodeKeyFromSeed(raw.subarray(0, 32));
  if (!Buffer.from(key.publicKey).equals(raw.subarray(32))) throw new NodeKeyError("node key's public half does not match its seed");
  return key;
}

/** The `node_key.json` text for `key`, as CometBFT writes it. */
export function formatNodeKey(key: NodeKey): string {
  const value = Buffer.concat([key.seed, key.publicKey]).toString("base64");
  return JSON.stringify({ priv_key: { type: NODE_KEY_TYPE, value } });
}

/** Reads a `node_key.json`. */
export async function loadNodeKey(path: string): Promise<NodeKey> {
  return parseNodeKey(await readFile(path, "utf8"));
}

/** Writes `key` to `path` as `node_key.json`, readable by its owner only. */
export async function saveNodeKey(path: string, key: NodeKey): Promise<void> {
  await writeFile(path, formatNodeKey(key), { mode: 0o600 });
}

/**
 * Loads the key at `path`, or generates one and saves it there when the file does not exist,
 * as a CometBFT node does on first start.
 */
export async function loadOrGenerateNodeKey(path: string): Promise<NodeKey> {
  try {
    return await loadNodeKey(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const key = generateNodeKey();
    await saveNodeKey(path, key);
    return key;
  }
}
