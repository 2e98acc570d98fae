import { expect } from "chai";
import { NEVER } from "rxjs";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { readDelimited } from "../../../src/wire/read-delimited.js";
import { PublicKey } from "../../../src/proto/tendermint/crypto/keys.js";
import { AuthSigMessage } from "../../../src/proto/tendermint/p2p/conn.js";
import { decodeEphemeralMessage, encodeEphemeralMessage, ephemeralKeys, sharedSecret } from "../../../src/secret/ephemeral-key.js";
import { FrameAuthenticationError, HandshakeError, type HandshakeRule } from "../../../src/secret/errors.js";
import { TimeoutError } from "../../../src/errors.js";
import { secretHandshake } from "../../../src/secret/handshake.js";
import { deriveSession } from "../../../src/secret/key-schedule.js";
import { generateNodeKey, type NodeKey } from "../../../src/secret/node-key.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";
import { FakeDuplex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const delimited = (body: Uint8Array) => Buffer.concat([encodeUvarint(body.length), body]);

/**
 * A peer that runs the handshake by hand up to the AuthSigMessage, which `authSig` builds from
 * the challenge (or which is skipped when `authSig` returns undefined: the peer then ends).
 */
async function evilPeer(raw: ByteDuplex, authSig: (challenge: Uint8Array) => Uint8Array | undefined): Promise<void> {
  const eph = ephemeralKeys();
  raw.write(encodeEphemeralMessage(eph.publicKey));
  const first = await readDelimited(raw, { maxSize: 1024 });
  const theirs = decodeEphemeralMessage(first.message);
  const session = deriveSession(eph.publicKey, theirs, sharedSecret(eph, theirs));
  const duplex = secretDuplex(first.rest, session);
  const body = authSig(session.challenge);
  if (body === undefined) duplex.end();
  else duplex.write(delimited(body));
}

function authSigOf(pubKey: PublicKey | undefined, sig: Uint8Array): Uint8Array {
  return AuthSigMessage.encode({ pubKey, sig }).finish();
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("the handshake must fail"),
    (err: unknown) => err,
  );
}

async function expectRule(promise: Promise<unknown>, rule: HandshakeRule): Promise<HandshakeError> {
  const err = await failure(promise);
  expect(err).to.be.instanceOf(HandshakeError);
  expect((err as HandshakeError).rule).to.equal(rule);
  expect((err as HandshakeError).reason).to.equal(`handshake-${rule}`);
  return err as HandshakeError;
}

describe("secret handshake failures", () => {
  let key: NodeKey;
  beforeEach(() => {
    key = generateNodeKey();
  });

  it("a peer presenting a signature made by another key → signature", async () => {
    const [a, b] = duplexPair();
    const thief = generateNodeKey();
    const victim = generateNodeKey();
    void evilPeer(b, (challenge) => authSigOf({ sum: { $case: "ed25519", value: victim.publicKey } }, thief.sign(challenge)));
    await expectRule(secretHandshake(a, key), "signature");
  });

  it("a signature over another challenge → signature", async () => {
    const [a, b] = duplexPair();
    const other = generateNodeKey();
    void evilPeer(b, () => authSigOf({ sum: { $case: "ed25519", value: other.publicKey } }, other.sign(new Uint8Array(32))));
    await expectRule(secretHandshake(a, key), "signature");
  });

  it("a short signature → signature", async () => {
    const [a, b] = duplexPair();
    const other = generateNodeKey();
    void evilPeer(b, (c) => authSigOf({ sum: { $case: "ed25519", value: other.publicKey } }, other.sign(c).subarray(0, 63)));
    await expectRule(secretHandshake(a, key), "signature");
  });

  it("a secp256k1 key → key-type", async () => {
    const [a, b] = duplexPair();
    void evilPeer(b, () => authSigOf({ sum: { $case: "secp256k1", value: new Uint8Array(33).fill(2) } }, new Uint8Array(64)));
    await expectRule(secretHandshake(a, key), "key-type");
  });

  it("no key at all → key-type; a 31-byte ed25519 key → key-type", async () => {
    const [a, b] = duplexPair();
    void evilPeer(b, () => authSigOf(undefined, new Uint8Array(64)));
    await expectRule(secretHandshake(a, key), "key-type");
    const [c, d] = duplexPair();
    void evilPeer(d, () => authSigOf({ sum: { $case: "ed25519", value: new Uint8Array(31) } }, new Uint8Array(64)));
    await expectRule(secretHandshake(c, key), "key-type");
  });

  it("an AuthSigMessage that does not decode → auth-message", async () => {
    const [a, b] = duplexPair();
    void evilPeer(b, () => Uint8Array.of(0x0a, 0x05, 0x01));
    await expectRule(secretHandshake(a, key), "auth-message");
  });

  it("a peer that ends after the key exchange → truncated; one that ends inside its first message → truncated", async () => {
    const [a, b] = duplexPair();
    void evilPeer(b, () => undefined);
    await expectRule(secretHandshake(a, key), "truncated");
    const [c, d] = duplexPair();
    d.write(encodeEphemeralMessage(ephemeralKeys().publicKey).subarray(0, 20));
    d.end();
    await expectRule(secretHandshake(c, key), "truncated");
  });

  it("an ephemeral message that is not a 32-byte BytesValue, or announces a huge length → ephemeral-key", async () => {
    const [a, b] = duplexPair();
    b.write(delimited(new TextEncoder().encode("drop users;")));
    await expectRule(secretHandshake(a, key), "ephemeral-key");
    const [c, d] = duplexPair();
    d.write(Uint8Array.of(0xff, 0xff, 0xff, 0x7f));
    await expectRule(secretHandshake(c, key), "ephemeral-key");
  });

  it("a low-order ephemeral key (the all-zero point, or a point of order 8) → low-order-key", async () => {
    const orderEight = Buffer.from("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", "hex");
    for (const point of [new Uint8Array(32), orderEight]) {
      const [a, b] = duplexPair();
      b.write(encodeEphemeralMessage(point));
      await expectRule(secretHandshake(a, key), "low-order-key");
    }
  });

  it("our own ephemeral key sent back → same-ephemeral-key", async () => {
    const [a, b] = duplexPair();
    const echo = b.incoming$.subscribe((chunk) => b.write(chunk));
    await expectRule(secretHandshake(a, key), "same-ephemeral-key");
    echo.unsubscribe();
  });

  it("a man in the middle flipping one bit of the AuthSigMessage frame → FrameAuthenticationError; the other side sees the connection end", async () => {
    const [a, b] = duplexPair();
    let written = 0;
    const tampering: ByteDuplex = {
      incoming$: a.incoming$,
      drained$: a.drained$,
      remote: a.remote,
      write: (chunk) => {
        const copy = Buffer.from(chunk);
        if (written === 35) copy[500] ^= 0x01; // inside the first sealed frame
        written += copy.length;
        return a.write(copy);
      },
      pause: () => a.pause(),
      resume: () => a.resume(),
      end: () => a.end(),
      destroy: (e) => a.destroy(e),
    };
    const [ra, rb] = await Promise.allSettled([secretHandshake(tampering, key), secretHandshake(b, generateNodeKey())]);
    expect(rb.status === "rejected" && rb.reason).to.be.instanceOf(FrameAuthenticationError);
    // The untampered direction completed, but the other side hung up: nothing ever arrives.
    if (ra.status !== "fulfilled") return expect.fail("A's side was not tampered with");
    const delivered: Uint8Array[] = [];
    await new Promise<void>((resolve) => ra.value.duplex.incoming$.subscribe({ next: (c) => delivered.push(c), error: () => resolve(), complete: resolve }));
    expect(delivered).to.deep.equal([]);
  });

  it("times out in virtual time when the peer says nothing, and destroys the connection", async () => {
    const ts = testScheduler();
    let result: Promise<unknown> | undefined;
    const fake = new FakeDuplex(NEVER, ts);
    ts.run(() => {
      result = failure(secretHandshake(fake, key, { timeout: 3000, scheduler: ts }));
    });
    const err = await result!;
    expect(err).to.be.instanceOf(TimeoutError);
    expect(err).to.include({ stage: "secret-handshake", timeoutMs: 3000, reason: "timeout" });
    expect(fake.writes.map((w) => w.at)).to.deep.equal([0]);
    expect(fake.events).to.deep.equal(["destroy@3000"]);
  });
});
