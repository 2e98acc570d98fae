/**
 * Property tests for every reader of peer bytes above the packet codec: arbitrary bytes, cut
 * arbitrarily, give the right result or a typed error (an MConnError), never anything else.
 */
import { expect } from "chai";
import fc from "fast-check";
import { from, lastValueFrom, NEVER, toArray } from "rxjs";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { readDelimited } from "../../../src/wire/read-delimited.js";
import { MConnError } from "../../../src/errors.js";
import { NodeInfoError } from "../../../src/p2p/errors.js";
import { decodeNodeInfo, encodeNodeInfo, validateNodeInfo } from "../../../src/p2p/node-info.js";
import { verifyAuthSig } from "../../../src/secret/auth-sig.js";
import { decodeEphemeralMessage } from "../../../src/secret/ephemeral-key.js";
import { FrameAuthenticationError, HandshakeError } from "../../../src/secret/errors.js";
import { FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "../../../src/secret/frame-cipher.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { cutAt } from "../../helpers/hot-duplex.js";

const key = new Uint8Array(32).fill(3);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

/** A read-only duplex delivering `chunks`, then completing. */
function source(chunks: Uint8Array[]): ByteDuplex {
  return {
    incoming$: from(chunks),
    drained$: NEVER,
    remote: "test",
    write: () => true,
    pause: () => undefined,
    resume: () => undefined,
    end: () => undefined,
    destroy: () => undefined,
  };
}

function typedOrResult<T>(f: () => T): T | MConnError {
  try {
    return f();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(MConnError);
    return err as MConnError;
  }
}

describe("properties of the readers of peer input", () => {
  it("FrameOpener: sealed data cut anywhere opens to the same bytes", () => {
    fc.assert(
      fc.property(bytes(5000), fc.array(fc.nat(), { maxLength: 12 }), (data, points) => {
        const sealed = new FrameSealer(key).seal(data);
        const opener = new FrameOpener(key);
        const out = Buffer.concat(cutAt(sealed, points).map((c) => opener.open(c)));
        expect(out.equals(Buffer.from(data))).to.equal(true);
        expect(opener.pending).to.equal(0);
      }),
      { numRuns: 200 },
    );
  });

  it("FrameOpener: arbitrary bytes give FrameAuthenticationError or nothing, and hold less than one frame", () => {
    fc.assert(
      fc.property(bytes(4000), fc.array(fc.nat(), { maxLength: 8 }), (data, points) => {
        const opener = new FrameOpener(key);
        for (const c of cutAt(data, points)) {
          const r = typedOrResult(() => opener.open(c));
          if (r instanceof MConnError) {
            expect(r).to.be.instanceOf(FrameAuthenticationError);
            return;
          }
          expect(r.length).to.equal(0);
          expect(opener.pending).to.be.lessThan(FRAME_SEALED_SIZE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("FrameOpener: one flipped bit in sealed data is always detected, and nothing of that frame is returned", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (data, at, bit) => {
        const sealed = Buffer.from(new FrameSealer(key).seal(data));
        const i = at % sealed.length;
        sealed[i] ^= 1 << bit;
        const { data: good, error } = new FrameOpener(key).openUntilError(sealed);
        expect(error).to.be.instanceOf(FrameAuthenticationError);
        const badFrame = Math.floor(i / FRAME_SEALED_SIZE);
        expect(Buffer.from(good).equals(Buffer.from(data.subarray(0, badFrame * 1024)))).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it("secretDuplex: arbitrary bytes end the stream with a typed error or complete, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(bytes(3000), fc.array(fc.nat(), { maxLength: 6 }), async (data, points) => {
        const d = secretDuplex(source(cutAt(data, points)), { sendKey: key, recvKey: key });
        const r = await lastValueFrom(d.incoming$.pipe(toArray())).catch((e: unknown) => e);
        if (!Array.isArray(r)) expect(r).to.be.instanceOf(MConnError);
      }),
      { numRuns: 200 },
    );
  });

  it("decodeEphemeralMessage: arbitrary bodies give a 32-byte key or HandshakeError", () => {
    fc.assert(
      fc.property(fc.oneof(bytes(80), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => Uint8Array.of(0x0a, 0x20, ...k))), (body) => {
        const r = typedOrResult(() => decodeEphemeralMessage(body));
        if (r instanceof MConnError) expect(r).to.be.instanceOf(HandshakeError);
        else expect(r.length).to.equal(32);
      }),
    );
  });

  it("verifyAuthSig: arbitrary bodies give HandshakeError (no signature of ours is forged by chance)", () => {
    fc.assert(
      fc.property(bytes(200), (body) => {
        const r = typedOrResult(() => verifyAuthSig(body, new Uint8Array(32)));
        expect(r).to.be.instanceOf(HandshakeError);
      }),
      { numRuns: 300 },
    );
  });

  it("decodeNodeInfo + validateNodeInfo: arbitrary bytes give a NodeInfo or a NodeInfoError; valid ones round-trip", () => {
    fc.assert(
      fc.property(bytes(400), (body) => {
        const r = typedOrResult(() => {
          const info = decodeNodeInfo(body);
          validateNodeInfo(info);
          return info;
        });
        if (r instanceof MConnError) expect(r).to.be.instanceOf(NodeInfoError);
        else expect(decodeNodeInfo(encodeNodeInfo(r))).to.deep.equal(r);
      }),
      { numRuns: 500 },
    );
  });

  it("readDelimited: arbitrary bytes cut anywhere give the message or a typed error; never more than maxSize buffered for a message", async () => {
    await fc.assert(
      fc.asyncProperty(bytes(300), fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 0, max: 200 }), async (data, points, maxSize) => {
        const r = await readDelimited(source(cutAt(data, points)), { maxSize }).catch((e: unknown) => e);
        if (r instanceof Error) expect(r).to.be.instanceOf(MConnError);
        else {
          const { message } = r as { message: Uint8Array };
          expect(message.length).to.be.at.most(maxSize);
          expect(Buffer.from(data).includes(Buffer.from(message))).to.equal(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
