/**
 * The ChaCha20-Poly1305 bound of the bulk case, in a process of its own: seals and opens
 * `TOTAL` bytes (argument 1) after `WARM` bytes untimed (argument 2) and prints one JSON line,
 * `{"seal": MB/s, "open": MB/s}`.
 * Usage: node --import tsx bench/aead-bound.ts TOTAL WARM
 */
import { FRAME_DATA_MAX, FrameOpener, FrameSealer } from "../src/secret/frame-cipher.js";
import { mbps } from "./measure.js";

/**
 * Seals and opens `total` bytes as 1024-byte frames, 64 KiB per call, as a SecretConnection
 * does, after `warm` bytes untimed (the sealer and opener reach their compiled code only after
 * tens of MiB: timed cold, the bound came out at half its speed and below our own encrypted
 * bulk). Each block is opened as soon as it is sealed, so only one block is held; seal and
 * open are timed apart.
 */
function aead(total: number, warm: number): { seal: number; open: number } {
  const key = new Uint8Array(32).fill(1);
  const sealer = new FrameSealer(key);
  const opener = new FrameOpener(key);
  const block = new Uint8Array(64 * FRAME_DATA_MAX).fill(7);
  let sealMs = 0;
  let openMs = 0;
  for (let done = -warm; done < total; done += block.length) {
    const t0 = performance.now();
    const sealed = sealer.seal(block);
    const t1 = performance.now();
    opener.open(sealed);
    const t2 = performance.now();
    if (done >= 0) {
      sealMs += t1 - t0;
      openMs += t2 - t1;
    }
  }
  return { seal: mbps(total, sealMs), open: mbps(total, openMs) };
}

const [total = String(64 << 20), warm = String(64 << 20)] = process.argv.slice(2);
console.log(JSON.stringify(aead(Number(total), Number(warm))));
