import { expect } from "chai";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import fc from "fast-check";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { readDelimited } from "../../../src/wire/read-delimited.js";
import { AuthSigMessage } from "../../../src/proto/tendermint/p2p/conn.js";
import { decodeEphemeralMessage, encodeEphemeralMessage, ephemeralKeys, sharedSecret } from "../../../src/secret/ephemeral-key.js";
import { HandshakeError } from "../../../src/secret/errors.js";
import { secretHandshake } from "../../../src/secret/handshake.js";
import { deriveSession } from "../../../src/secret/key-schedule.js";
import { generateNodeKey, nodeKeyFromSeed, verifyEd25519 } from "../../../src/secret/node-key.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const opensslPublic = (publicKey: Uint8Array) => createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
const opensslPrivate = (seed: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });

/** The identity point as an Ed25519 public key, and a "signature" (R = identity, S = 0) that passes a plain check for any message. */
const IDENTITY_KEY = Buffer.alloc(32);
IDENTITY_KEY[0] = 1;
const IDENTITY_FORGERY = Buffer.alloc(64);
IDENTITY_FORGERY[0] = 1;

/** A peer that runs the handshake by hand and signs nothing: it sends the identity key with the universal forgery. */
async function identityPeer(raw: ByteDuplex): Promise<void> {
  const eph = ephemeralKeys();
  raw.write(encodeEphemeralMessage(eph.publicKey));
  const first = await readDelimited(raw, { maxSize: 1024 });
  const theirs = decodeEphemeralMessage(first.message);
  const session = deriveSession(eph.publicKey, theirs, sharedSecret(eph, theirs));
  const body = AuthSigMessage.encode({ pubKey: { sum: { $case: "ed25519", value: IDENTITY_KEY } }, sig: IDENTITY_FORGERY }).finish();
  secretDuplex(first.rest, session).write(Buffer.concat([encodeUvarint(body.length), body]));
}

describe("Ed25519 (libsodium) against OpenSSL", () => {
  it("the same public key and the same (deterministic) signature as OpenSSL, for any seed and message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (seed, message) => {
        const key = nodeKeyFromSeed(seed);
        const reference = opensslPrivate(seed);
        expect(Buffer.from(key.publicKey).toString("base64url")).to.equal(createPublicKey(reference).export({ format: "jwk" }).x);
        const signature = key.sign(message);
        expect(Buffer.from(signature).equals(sign(null, message, reference))).to.equal(true);
        expect(verify(null, message, opensslPublic(key.publicKey), signature)).to.equal(true);
      }),
      { numRuns: 100 },
    );
  });

  it("verifies honest signatures, and refuses any one-bit change of key, message or signature", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.constantFrom("key", "message", "signature"), (message, at, part) => {
        const key = generateNodeKey();
        const signature = key.sign(message);
        expect(verifyEd25519(key.publicKey, message, signature)).to.equal(true);
        const target = { key: new Uint8Array(key.publicKey), message: new Uint8Array(message), signature: new Uint8Array(signature) };
        const bytes = target[part];
        bytes[at % bytes.length] ^= 1 << (at % 8);
        expect(verifyEd25519(target.key, target.message, target.signature)).to.equal(false);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses the identity point as a key with the signature (R = identity, S = 0) that OpenSSL's plain check accepts for any message", () => {
    const message = new TextEncoder().encode("any challenge at all");
    expect(verify(null, message, opensslPublic(IDENTITY_KEY), IDENTITY_FORGERY)).to.equal(true);
    expect(verifyEd25519(IDENTITY_KEY, message, IDENTITY_FORGERY)).to.equal(false);
  });

  it("a handshake peer presenting the identity key with that forgery fails with the signature rule", async () => {
    const [a, b] = duplexPair();
    void identityPeer(b);
    const err = await secretHandshake(a, generateNodeKey()).then(
      () => expect.fail("the handshake must fail"),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(HandshakeError);
    expect((err as HandshakeError).rule).to.equal("signature");
  });
});
