import { expect } from "chai";
import fc from "fast-check";
import { createCipheriv } from "node:crypto";
import sodium from "sodium-native";
import { firstValueFrom, lastValueFrom, toArray } from "rxjs";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { TruncatedError } from "../../../src/errors.js";
import { FrameAuthenticationError, FrameLengthError, NonceExhaustedError } from "../../../src/secret/errors.js";
import { FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "../../../src/secret/frame-cipher.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { seededRandom } from "../../../src/duplex/duplex-pair.js";
import { recording } from "../../helpers/recording-duplex.js";
import { readVectorFolder } from "../../helpers/vectors.js";

const key1 = new Uint8Array(32).fill(1);
const key2 = new Uint8Array(32).fill(2);
const data = (n: number, seed = 1) => {
  const r = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};
const open = (sealed: Uint8Array, key = key1) => new FrameOpener(key).open(sealed);

describe("sealed frames", () => {
  it("cuts data into 1044-byte frames of ≤ 1024 data bytes and never seals an empty frame", () => {
    const s = new FrameSealer(key1);
    expect(s.seal(new Uint8Array(0))).to.have.length(0);
    for (const [n, frames] of [[1, 1], [1024, 1], [1025, 2], [3000, 3], [10 * 1024, 10]] as const) {
      const sealed = new FrameSealer(key1).seal(data(n));
      expect(sealed.length, `${n} bytes`).to.equal(frames * FRAME_SEALED_SIZE);
      expect(Buffer.from(open(sealed)).equals(data(n))).to.equal(true);
    }
  });

  it("opens the same data however the sealed bytes are cut", () => {
    const plain = data(20_000, 7);
    const sealed = new FrameSealer(key1).seal(plain);
    const r = seededRandom(99);
    for (let round = 0; round < 20; round++) {
      const opener = new FrameOpener(key1);
      const parts: Buffer[] = [];
      for (let at = 0; at < sealed.length; ) {
        const n = Math.min(sealed.length - at, 1 + Math.floor(r() * 3000));
        parts.push(opener.open(sealed.subarray(at, at + n)));
        at += n;
      }
      expect(opener.pending).to.equal(0);
      expect(Buffer.concat(parts).equals(plain)).to.equal(true);
    }
  });

  it("detects a flipped bit anywhere in a frame, and delivers nothing of it", () => {
    const sealed = new FrameSealer(key1).seal(data(1024));
    for (const at of [0, 3, 4, 500, 1027, 1028, 1043]) {
      const bad = Buffer.from(sealed);
      bad[at] ^= 0x10;
      expect(() => open(bad), `bit at ${at}`).to.throw(FrameAuthenticationError);
    }
  });

  it("detects a replayed, a reordered or a foreign frame", () => {
    const sealer = new FrameSealer(key1);
    const f0 = sealer.seal(data(10, 1));
    const f1 = sealer.seal(data(10, 2));
    expect(() => new FrameOpener(key1).open(Buffer.concat([f0, f0]))).to.throw(FrameAuthenticationError, /frame 1/);
    expect(() => new FrameOpener(key1).open(Buffer.concat([f1, f0]))).to.throw(FrameAuthenticationError, /frame 0/);
    expect(() => new FrameOpener(key2).open(f0)).to.throw(FrameAuthenticationError);
  });

  it("rejects an authentic frame that announces more than 1024 data bytes", () => {
    expect(new FrameOpener(key1).open(forgeFrame(key1, 0n, 1024))).to.have.length(1024);
    const forged = forgeFrame(key1, 0n, 1025);
    expect(() => new FrameOpener(key1).open(forged)).to.throw(FrameLengthError);
  });

  it("ends at the last nonce instead of wrapping", () => {
    const max = 2n ** 64n - 1n;
    const sealer = new FrameSealer(key1, max - 2n);
    const ok = sealer.seal(data(2048));
    expect(ok).to.have.length(2 * FRAME_SEALED_SIZE);
    expect(sealer.nextFrame).to.equal(max);
    expect(() => sealer.seal(data(1))).to.throw(NonceExhaustedError);
    const opener = new FrameOpener(key1, max - 2n);
    expect(opener.open(ok)).to.have.length(2048);
    expect(() => opener.open(forgeFrame(key1, max, 1))).to.throw(NonceExhaustedError);
    // counters carry across the 32-bit boundary
    const carry = new FrameSealer(key1, 0xffffffffn);
    const two = carry.seal(data(2048, 5));
    expect(carry.nextFrame).to.equal(0x100000001n);
    expect(Buffer.from(new FrameOpener(key1, 0xffffffffn).open(two)).equals(data(2048, 5))).to.equal(true);
  });
});

describe("sealing in place, into reused memory", () => {
  /** CometBFT's frames sealed one by one with OpenSSL (node:crypto), as the reference. */
  function referenceSeal(key: Uint8Array, first: bigint, bytes: Uint8Array): Buffer {
    const frames: Buffer[] = [];
    for (let at = 0, counter = first; at < bytes.length; at += 1024, counter++) {
      const plain = Buffer.alloc(1028);
      const part = bytes.subarray(at, at + 1024);
      plain.writeUInt32LE(part.length, 0);
      plain.set(part, 4);
      const nonce = Buffer.alloc(12);
      nonce.writeBigUInt64LE(counter, 4);
      const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
      frames.push(cipher.update(plain), cipher.final(), cipher.getAuthTag());
    }
    return Buffer.concat(frames);
  }

  it("gives the same bytes as sealing each frame on its own, for any lengths, with and without reuse", () => {
    const chunk = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 64 * 1024 - 2048, max: 64 * 1024 + 2048 }), fc.constantFrom(1024, 2048, 64 * 1024));
    fc.assert(
      fc.property(fc.array(fc.record({ length: chunk, reuse: fc.boolean(), seed: fc.nat() }), { minLength: 1, maxLength: 8 }), fc.bigInt({ min: 0n, max: 2n ** 40n }), (writes, first) => {
        const sealer = new FrameSealer(key1, first);
        let counter = first;
        let previous: Buffer | undefined;
        for (const w of writes) {
          const bytes = Uint8Array.from({ length: w.length }, (_, i) => (i * 31 + w.seed) & 0xff);
          const sealed = sealer.seal(bytes, w.reuse);
          expect(sealed.equals(referenceSeal(key1, counter, bytes))).to.equal(true);
          // Reuse seals into the previous call's memory whenever it is large enough.
          if (w.reuse && previous !== undefined && sealed.length > 0 && previous.buffer.byteLength >= sealed.length)
            expect(sealed.buffer).to.equal(previous.buffer);
          counter += BigInt(Math.ceil(w.length / 1024));
          if (sealed.length > 0) previous = sealed;
        }
      }),
      { numRuns: 40 },
    );
  });

  it("seals into the same memory through secretDuplex once the transport holds nothing, and the bytes read back unchanged", async () => {
    const [ra, rb] = duplexPair();
    const written: Uint8Array[] = [];
    // A transport that copies what it is given (as a socket hands bytes to the kernel).
    const copying: ByteDuplex = {
      incoming$: ra.incoming$,
      drained$: ra.drained$,
      remote: ra.remote,
      write: (c) => (written.push(c), ra.write(Uint8Array.from(c))),
      writesSettled: () => true,
      pause: () => ra.pause(),
      resume: () => ra.resume(),
      end: () => ra.end(),
      destroy: (e) => ra.destroy(e),
    };
    const a = secretDuplex(copying, { sendKey: key1, recvKey: key2 });
    const b = secretDuplex(rb, { sendKey: key2, recvKey: key1 });
    const chunks = [data(65_536, 1), data(65_536, 2), data(10, 3), data(70_000, 4)];
    for (const c of chunks) a.write(c);
    a.end();
    const got = await lastValueFrom(b.incoming$.pipe(toArray()));
    expect(Buffer.concat(got).equals(Buffer.concat(chunks))).to.equal(true);
    expect(written[1].buffer).to.equal(written[0].buffer);
    expect(written[2].buffer).to.equal(written[0].buffer);
  });
});

/** A sealed frame whose length field says `length`, under nonce `counter` (sealed with libsodium directly). */
function forgeFrame(key: Uint8Array, counter: bigint, length: number): Buffer {
  const plain = Buffer.alloc(1028);
  plain.writeUInt32LE(length, 0);
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64LE(counter, 4);
  const out = Buffer.alloc(FRAME_SEALED_SIZE);
  (sodium as unknown as { crypto_aead_chacha20poly1305_ietf_encrypt: (...a: unknown[]) => number }).crypto_aead_chacha20poly1305_ietf_encrypt(out, plain, null, null, nonce, Buffer.from(key));
  return out;
}

describe("secretDuplex", () => {
  it("carries the fuzz corpus of CometBFT (each payload written once, read back whole; nothing written for the empty one)", async () => {
    const files = readVectorFolder("cometbft/fuzz/FuzzP2PSecretConnection");
    expect(files).to.have.length(7);
    for (const [file, text] of files) {
      const [header, literal] = text.split("\n");
      expect(header).to.equal("go test fuzz v1");
      const payload = new TextEncoder().encode(JSON.parse(literal.slice("[]byte(".length, -1)) as string);
      const [ra, rb] = duplexPair({ splitSeed: 5 });
      const tap = recording(ra);
      const a = secretDuplex(tap.duplex, { sendKey: key1, recvKey: key2 });
      const b = secretDuplex(rb, { sendKey: key2, recvKey: key1 });
      a.write(payload);
      a.end();
      const got = await lastValueFrom(b.incoming$.pipe(toArray()));
      expect(Buffer.concat(got).equals(payload), file).to.equal(true);
      expect(tap.writes.join("").length / 2, file).to.equal(payload.length === 0 ? 0 : FRAME_SEALED_SIZE);
    }
  });

  it("errors with TruncatedError when the stream ends inside a frame", async () => {
    const [ra, rb] = duplexPair();
    const b = secretDuplex(rb, { sendKey: key2, recvKey: key1 });
    ra.write(new FrameSealer(key1).seal(data(100)).subarray(0, 600));
    ra.end();
    const err = await firstValueFrom(b.incoming$).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TruncatedError);
  });

  it("errors with FrameAuthenticationError on a tampered frame after good ones, delivering only the good ones", async () => {
    const [ra, rb] = duplexPair({ splitSeed: 2 });
    const b = secretDuplex(rb, { sendKey: key2, recvKey: key1 });
    const sealed = new FrameSealer(key1).seal(data(3000, 3));
    sealed[2 * FRAME_SEALED_SIZE + 10] ^= 1;
    ra.write(sealed);
    const got: Uint8Array[] = [];
    const err = await new Promise<unknown>((resolve) => b.incoming$.subscribe({ next: (c) => got.push(c), error: resolve, complete: () => resolve(undefined) }));
    expect(err).to.be.instanceOf(FrameAuthenticationError);
    expect(Buffer.concat(got).equals(data(3000, 3).subarray(0, 2048))).to.equal(true);
  });
});
