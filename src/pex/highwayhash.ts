/**
 * HighwayHash-64: the keyed hash CometBFT's address book places addresses into buckets with
 * (Google's HighwayHash, as `github.com/minio/highwayhash` computes it). Checked against
 * vectors computed by that package.
 * @module
 */

// The lanes' initial values, each as its low and high 32 bits.
const INIT0 = [0xfe4cce2f, 0xdbe6d5d5, 0x299f31d0, 0xa4093822, 0x03707344, 0x13198a2e, 0x85a308d3, 0x243f6a88];
const INIT1 = [0xcb0ef593, 0x3bd39e10, 0xb5f18a8c, 0xc0acf169, 0x34e90c6c, 0xbe5466cf, 0x38d01377, 0x452821e6];

/** A little-endian uint32 of `b` at `at`. */
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * The state: v0, v1, mul0, mul1, four 64-bit lanes each, every lane as two 32-bit words (low
 * at `2i`, high at `2i + 1`) — plain numbers, not BigInt, which costs a heap object per step.
 * One state serves every hash (a hash runs to its end without yielding), reset from the key at
 * its start, with its packet buffers: hashing allocates nothing but its result.
 */
class State {
  readonly v0 = new Uint32Array(8);
  readonly v1 = new Uint32Array(8);
  readonly mul0 = new Uint32Array(8);
  readonly mul1 = new Uint32Array(8);
  /** The padded last packet. */
  private readonly block = new Uint8Array(32);
  /** The permuted lanes of a finishing round. */
  private readonly perm = new Uint8Array(32);
  /** The 64-bit result's low and high words, set by {@link finish64}. */
  lo = 0;
  hi = 0;

  reset(key: Uint8Array): void {
    this.mul0.set(INIT0);
    this.mul1.set(INIT1);
    for (let i = 0; i < 4; i++) {
      const lo = u32(key, i * 8);
      const hi = u32(key, i * 8 + 4);
      this.v0[2 * i] = INIT0[2 * i] ^ lo;
      this.v0[2 * i + 1] = INIT0[2 * i + 1] ^ hi;
      // the key's lane with its halves swapped
      this.v1[2 * i] = INIT1[2 * i] ^ hi;
      this.v1[2 * i + 1] = INIT1[2 * i + 1] ^ lo;
    }
  }

  /** Absorbs one 32-byte packet, its lanes read little-endian at `offset` of `packet`. */
  update(packet: Uint8Array, offset = 0): void {
    const { v0, v1, mul0, mul1 } = this;
    for (let i = 0; i < 4; i++) {
      const l = 2 * i;
      const h = l + 1;
      // v1 += packet + mul0
      let lo = v1[l] + u32(packet, offset + i * 8) + mul0[l];
      v1[h] = v1[h] + u32(packet, offset + i * 8 + 4) + mul0[h] + Math.floor(lo / 0x100000000);
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

  /** Absorbs the last `length` (1–31) bytes, at `offset` of `bytes`, padded as HighwayHash pads them. */
  remainder(bytes: Uint8Array, offset: number, length: number): void {
    for (let i = 0; i < 4; i++) {
      // v0 += (length << 32) + length
      const lo = this.v0[2 * i] + length;
      this.v0[2 * i + 1] = this.v0[2 * i + 1] + length + (lo > 0xffffffff ? 1 : 0);
      this.v0[2 * i] = lo;
      this.v1[2 * i] = rotl32(this.v1[2 * i], length);
      this.v1[2 * i + 1] = rotl32(this.v1[2 * i + 1], length);
    }
    const block = this.block;
    block.fill(0);
    const mod4 = length & 3;
    const whole = length - mod4;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length
    for (let i = 0; i < whole; i++) block[i] = bytes[offset + i]!;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length (at least 16)
    if (length >= 16) for (let i = 0; i < 4; i++) block[28 + i] = bytes[offset + length - 4 + i]!;
    else if (mod4 !== 0) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[16] = bytes[offset + whole]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[17] = bytes[offset + whole + (mod4 >> 1)]!;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- indices below length: mod4 > 0 here, so whole < length
      block[18] = bytes[offset + length - 1]!;
    }
    this.update(block);
  }

  /** Four permute-and-update rounds, then the 64-bit result into {@link lo} and {@link hi}. */
  finish64(): void {
    const perm = this.perm;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) {
        // lane PERMUTE[i] of v0 with its halves swapped
        const from = PERMUTE[i];
        putU32(perm, i * 8, this.v0[2 * from + 1]);
        putU32(perm, i * 8 + 4, this.v0[2 * from]);
      }
      this.update(perm);
    }
    const lo = this.v0[0] + this.v1[0] + this.mul0[0] + this.mul1[0];
    this.hi = (this.v0[1] + this.v1[1] + this.mul0[1] + this.mul1[1] + Math.floor(lo / 0x100000000)) >>> 0;
    this.lo = lo >>> 0;
  }
}

/** The lanes a finishing round reads, in order. */
const PERMUTE = [2, 3, 0, 1] as const;

/** Writes `x` little-endian at `at` of `b`. */
function putU32(b: Uint8Array, at: number, x: number): void {
  b[at] = x & 0xff;
  b[at + 1] = (x >>> 8) & 0xff;
  b[at + 2] = (x >>> 16) & 0xff;
  b[at + 3] = x >>> 24;
}

const state = new State();

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
  const { lo, hi } = highwayHash64Words(key, data);
  const out = new Uint8Array(8);
  putU32(out, 0, lo);
  putU32(out, 4, hi);
  return out;
}

/**
 * HighwayHash-64 of the first `length` bytes of `data` under a 32-byte `key`, as the 64-bit
 * value's low and high 32-bit words (no bytes made). The object returned is reused by the next call: read it at once.
 * @throws {RangeError} when the key is not 32 bytes.
 */
export function highwayHash64Words(key: Uint8Array, data: Uint8Array, length = data.length): { readonly lo: number; readonly hi: number } {
  if (key.length !== 32) throw new RangeError(`a HighwayHash key is 32 bytes, got ${key.length}`);
  state.reset(key);
  const whole = length - (length % 32);
  for (let at = 0; at < whole; at += 32) state.update(data, at);
  if (whole < length) state.remainder(data, whole, length - whole);
  state.finish64();
  return state;
}
