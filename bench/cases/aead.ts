/**
 * The cost of SecretConnection's AEAD per frame, one process, tight loops: what bounds the
 * encrypted bulk figure. ChaCha20-Poly1305 of a 1,028-byte frame through each way this machine
 * offers: `sodium-native` one call a frame (what FrameSealer and FrameOpener do), the same call
 * on 16 bytes and an empty native call (the fixed part of a call), one call over 64 KiB (the
 * library's own speed per KiB), `node:crypto` (a cipher object per nonce), and, where a C
 * compiler is found, bench/native/batch-aead.c: 64 frames per native call through the OpenSSL
 * inside Node, checked against libsodium's output before it is timed.
 */
import { spawnSync } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IetfAead } from "../../src/secret/frame-cipher.js";
import { sodium } from "../../src/secret/sodium.js";
import { repeat, type BenchCase, type Figure } from "../measure.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const source = join(root, "bench/native/batch-aead.c");
const PLAIN = 1028;
const SEALED = PLAIN + 16;
const FRAMES = 64;

/** bench/native/batch-aead.c, loaded. */
interface BatchAead {
  seal(key: Uint8Array, lo: number, hi: number, buf: Uint8Array, frames: number): number;
  open(key: Uint8Array, lo: number, hi: number, src: Uint8Array, dst: Uint8Array, frames: number): number;
}

/** libsodium's calls used here: the AEAD as the library types it, and an empty-ish call. */
interface Ietf extends IetfAead {
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
}

/** Compiles batch-aead.c into .cache/ (once per version of the source), or says why not. */
function buildBatchAead(): BatchAead | { skipped: string } {
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const out = join(root, ".cache/batch-aead", `${hash}.node`);
  if (!existsSync(out)) {
    const include = join(dirname(process.execPath), "../include/node");
    if (!existsSync(join(include, "node_api.h"))) return { skipped: `Node's headers not found in ${include}` };
    mkdirSync(dirname(out), { recursive: true });
    const cc = spawnSync(process.env.CC ?? "cc", ["-O2", "-shared", "-fPIC", `-I${include}`, source, "-o", out], { encoding: "utf8" });
    if (cc.error) return { skipped: `no C compiler (${(cc.error as NodeJS.ErrnoException).code ?? cc.error.message})` };
    if (cc.status !== 0) return { skipped: `cc failed: ${cc.stderr.trim().split("\n").slice(-3).join(" | ")}` };
  }
  return createRequire(import.meta.url)(out) as BatchAead;
}

/** Nanoseconds per unit of `f` (which does `units` units a call), after a warm-up. */
function nsPer(units: number, calls: number, f: () => void): number {
  for (let i = 0; i < Math.min(200, calls); i++) f();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) f();
  return Number(process.hrtime.bigint() - t0) / calls / units;
}

/** Throws unless the batch seals exactly what libsodium seals, and opens it back (a tampered frame not). */
function check(batch: BatchAead, ietf: Ietf, key: Buffer): void {
  const plain = Buffer.alloc(PLAIN * FRAMES);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 31 + 7) & 0xff;
  const buf = Buffer.alloc(SEALED * FRAMES);
  for (let f = 0; f < FRAMES; f++) plain.copy(buf, f * SEALED, f * PLAIN, (f + 1) * PLAIN);
  const lo = 0xffffffff - 3; // the counter crosses into its high half within the run
  batch.seal(key, lo, 0, buf, FRAMES);
  const nonce = Buffer.alloc(12);
  const one = Buffer.alloc(SEALED);
  for (let f = 0; f < FRAMES; f++) {
    nonce.writeBigUInt64LE(BigInt(lo) + BigInt(f), 4);
    ietf.crypto_aead_chacha20poly1305_ietf_encrypt(one, plain.subarray(f * PLAIN, (f + 1) * PLAIN), null, null, nonce, key);
    if (!one.equals(buf.subarray(f * SEALED, (f + 1) * SEALED))) throw new Error(`aead bench: batch-aead's frame ${f} differs from libsodium's`);
  }
  const back = Buffer.alloc(PLAIN * FRAMES);
  if (batch.open(key, lo, 0, buf, back, FRAMES) !== FRAMES || !back.equals(plain)) throw new Error("aead bench: batch-aead does not open its own frames");
  buf[3 * SEALED + 5] ^= 1;
  if (batch.open(key, lo, 0, buf, back, FRAMES) !== 3) throw new Error("aead bench: batch-aead opened a tampered frame");
}

export const aead: BenchCase = {
  name: "aead",
  async run({ quick, repeat: n, progress }) {
    const ietf = sodium() as unknown as Ietf;
    const key = Buffer.alloc(32, 7);
    const nonce = Buffer.alloc(12);
    const frame = Buffer.alloc(PLAIN, 1);
    const sealed = Buffer.alloc(SEALED);
    const small = Buffer.alloc(16, 1);
    const smallOut = Buffer.alloc(32);
    const big = Buffer.alloc(64 * 1024, 1);
    const bigOut = Buffer.alloc(big.length + 16);
    const calls = quick ? 20_000 : 100_000;
    const figures: Figure[] = [];
    const row = async (metric: string, f: () => number) => {
      const r = await repeat(n, () => Promise.resolve(f()));
      figures.push({ case: "aead", metric, unit: "ns", value: Math.round(r.value), spread: [Math.round(r.spread[0]), Math.round(r.spread[1])] });
    };
    await row("seal a 1,028-byte frame, sodium-native, a call a frame", () => nsPer(1, calls, () => ietf.crypto_aead_chacha20poly1305_ietf_encrypt(sealed, frame, null, null, nonce, key)));
    await row("seal 16 bytes, sodium-native", () => nsPer(1, calls, () => ietf.crypto_aead_chacha20poly1305_ietf_encrypt(smallOut, small, null, null, nonce, key)));
    await row("an empty native call (sodium_memcmp of 16 bytes)", () => nsPer(1, calls, () => ietf.sodium_memcmp(small, small)));
    await row("seal per KiB, sodium-native, one call over 64 KiB", () => nsPer(64, calls / 64, () => ietf.crypto_aead_chacha20poly1305_ietf_encrypt(bigOut, big, null, null, nonce, key)));
    await row("seal a 1,028-byte frame, node:crypto, a cipher a frame", () =>
      nsPer(1, calls / 8, () => {
        const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
        c.update(frame);
        c.final();
        c.getAuthTag();
      }),
    );
    const batch = buildBatchAead();
    if ("skipped" in batch) {
      progress(`aead: batched native calls skipped: ${batch.skipped}`);
      return figures;
    }
    check(batch, ietf, key);
    const buf = Buffer.alloc(SEALED * FRAMES, 1);
    const back = Buffer.alloc(PLAIN * FRAMES);
    await row("seal a frame, 64 frames a native call (OpenSSL in Node)", () => nsPer(FRAMES, calls / FRAMES, () => batch.seal(key, 0, 0, buf, FRAMES)));
    batch.seal(key, 0, 0, buf, FRAMES);
    await row("open a frame, 64 frames a native call (OpenSSL in Node)", () => nsPer(FRAMES, calls / FRAMES, () => batch.open(key, 0, 0, buf, back, FRAMES)));
    return figures;
  },
};
