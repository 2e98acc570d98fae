/**
 * HighwayHash-64: the keyed hash CometBFT's address book places addresses into buckets with
 * (Google's HighwayHash, as `github.com/minio/highwayhash` computes it). Checked against
 * vectors computed by that package.
 * @module
 */

// The lanes' initial values, each as its low and high 32 bits.
const INIT0 = [0xfe4cce2f, 0xdbe6d5d5, 0x299f31d0, 0xa4093822, 0x03707344, 0x13198a2e, 0x85a308d3, 0x243f6a88];
const INIT1 = [0xcb0ef593, 0x3bd39e10, 0xb5f18a8c, 0xc0acf169, 0x34e90c6c, 0xbe5466cf, 0x38d01377, 0x452821e6];

/**
 * The state: v0, v1, mul0, mul1, four 64-bit lanes each, every lane as two 32-bit words (low
 * at `2i`, high at `2i + 1`) — plain numbers, not BigInt, which costs a heap object per step.
 */
class State {
  readonly v0 = new Uint32Array(8);
  readonly v1 = new Uint32Array(8);
  readonly mul0 = Uint32Array.from(INIT0);
  readonly mul1 = Uint32Array.from(INIT1);

  constructor(key: Uint8Array) {
    const k = new DataView(key.buffer, key.byteOffset, 32);
    for (let i = 0; i < 4; i++) {
      const lo = k.getUint32(i * 8, true);
      const hi = k.getUint32(i * 8 + 4, true);
      this.v0[2 * i] = INIT0[2 * i] ^ lo;
      this.v0[2 * i + 1] = INIT0[2 * i + 1] ^ hi;
      // the key's lane with its halves swapped
      this.v1[2 * i] = INIT1[2 * i] ^ hi;
      this.v1[2 * i + 1] = INIT1[2 * i + 1] ^ lo;
    }
  }

  /** Absorbs one 32-byte packet, its lanes read little-endian at `offset` of `packet`. */
  update(packet: DataView, offset = 0): void {
    const { v0, v1, mul0, mul1 } = this;
    for (let i = 0; i < 4; i++) {
      const l = 2 * i;
      const h = l + 1;
      // v1 += packet + mul0
      let lo = v1[l] + packet.getUint32(offset + i * 8, true) + mul0[l];
      v1[h] = v1[h] + packet.getUint32(offset + i * 8 + 4, true) + mul0[h] + Math.floor(lo / 0x100000000);
      v1[l] = lo;
      // mul0 ^= lo32(v1) * hi32(v0)
      mulXor(mul0, l, v1[l], v0[h]);
      // v0 += mul1
      lo = v0[l] + mul1[l];
      v0[h] = v0[h] + mul1[h] + (lo > 0xffffffff ? 1 : 0);
      v0[l] = lo;
      // mul1 ^= lo32(v0) * hi32(v1)
      mulXor(mul1, l, v0[l], v1[h]);
    }
    zipperMergeAdd(v1, 0, v0);
    zipperMergeAdd(v1, 2, v0);
    zipperMergeAdd(v0, 0, v1);
    zipperMergeAdd(v0, 2, v1);
  }

  /** Absorbs the last `length` (1–31) bytes, padded as HighwayHash pads them. */
  remainder(bytes: Uint8Array, length: number): void {
    for (let i = 0; i < 4; i++) {
      // v0 += (length << 32) + length
      const lo = this.v0[2 * i] + length;
      this.v0[2 * i + 1] = this.v0[2 * i + 1] + length + (lo > 0xffffffff ? 1 : 0);
      this.v0[2 * i] = lo;
      this.v1[2 * i] = rotl32(this.v1[2 * i], length);
      this.v1[2 * i + 1] = rotl32(this.v1[2 * i + 1], length);
    }
    const block = new Uint8Array(32);
    const mod4 = length & 3;
    const whole = length - mod4;
    block.set(bytes.subarray(0, whole));
    if (length >= 16) block.set(bytes.subarray(length - 4, length), 28);
    else if (mod4 !== 0) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[16] = bytes[whole]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[17] = bytes[whole + (mod4 >> 1)]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[18] = bytes[length - 1]!;
    }
    this.update(new DataView(block.buffer));
  }

  /** Four permute-and-update rounds, then the 64-bit result as 8 little-endian bytes. */
  finish64(): Uint8Array {
    const permBytes = new ArrayBuffer(32);
    const perm = new DataView(permBytes);
    for (let round = 0; round < 4; round++) {
      [2, 3, 0, 1].forEach((from, i) => {
        // lane `from` of v0 with its halves swapped
        perm.setUint32(i * 8, this.v0[2 * from + 1], true);
        perm.setUint32(i * 8 + 4, this.v0[2 * from], true);
      });
      this.update(perm);
    }
    const lo = this.v0[0] + this.v1[0] + this.mul0[0] + this.mul1[0];
    const hi = this.v0[1] + this.v1[1] + this.mul0[1] + this.mul1[1] + Math.floor(lo / 0x100000000);
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, lo >>> 0, true);
    view.setUint32(4, hi >>> 0, true);
    return out;
  }
}

function rotl32(x: number, n: number): number {
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** `lane ^= a * b` for 32-bit `a` and `b`, the product taken whole (64 bits) from 16-bit parts. */
function mulXor(lane: Uint32Array, at: number, a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const u = a1 * b0 + (t >>> 16);
  const w = a0 * b1 + (u & 0xffff);
  const hi = a1 * b1 + Math.floor(u / 0x10000) + Math.floor(w / 0x10000);
  const lo = ((w & 0xffff) << 16) | (t & 0xffff);
  lane[at] ^= lo;
  lane[at + 1] ^= hi;
}

/**
 * HighwayHash's ZipperMergeAndAdd of lanes `at`, `at + 1` of `from` into the same lanes of `to`:
 * with `a` and `b` the two lanes' bytes (little-endian), `to[at] += [a3 b4 a2 a5 b6 a1 b7 a0]`
 * and `to[at + 1] += [b3 a4 b2 b5 b1 a6 b0 a7]`.
 */
function zipperMergeAdd(from: Uint32Array, at: number, to: Uint32Array): void {
  const al = from[2 * at];
  const ah = from[2 * at + 1];
  const bl = from[2 * at + 2];
  const bh = from[2 * at + 3];
  const a0 = al & 0xff, a1 = (al >>> 8) & 0xff, a2 = (al >>> 16) & 0xff, a3 = al >>> 24;
  const a4 = ah & 0xff, a5 = (ah >>> 8) & 0xff, a6 = (ah >>> 16) & 0xff, a7 = ah >>> 24;
  const b0 = bl & 0xff, b1 = (bl >>> 8) & 0xff, b2 = (bl >>> 16) & 0xff, b3 = bl >>> 24;
  const b4 = bh & 0xff, b5 = (bh >>> 8) & 0xff, b6 = (bh >>> 16) & 0xff, b7 = bh >>> 24;
  add64(to, 2 * at, (a3 | (b4 << 8) | (a2 << 16) | (a5 << 24)) >>> 0, (b6 | (a1 << 8) | (b7 << 16) | (a0 << 24)) >>> 0);
  add64(to, 2 * at + 2, (b3 | (a4 << 8) | (b2 << 16) | (b5 << 24)) >>> 0, (b1 | (a6 << 8) | (b0 << 16) | (a7 << 24)) >>> 0);
}

/** The lane at `at` of `to` plus the 64-bit value `hi:lo`, modulo 2^64. */
function add64(to: Uint32Array, at: number, lo: number, hi: number): void {
  const sum = to[at] + lo;
  to[at + 1] = to[at + 1] + hi + (sum > 0xffffffff ? 1 : 0);
  to[at] = sum;
}

/**
 * HighwayHash-64 of `data` under a 32-byte `key`, as the 8 bytes Go's `hash.Hash64.Sum` appends
 * (little-endian).
 * @throws {RangeError} when the key is not 32 bytes.
 */
export function highwayHash64(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a HighwayHash key is 32 bytes, got ${key.length}`);
  const state = new State(key);
  const whole = data.length - (data.length % 32);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  for (let at = 0; at < whole; at += 32) state.update(view, at);
  if (whole < data.length) state.remainder(data.subarray(whole), data.length - whole);
  return state.finish64();
}
