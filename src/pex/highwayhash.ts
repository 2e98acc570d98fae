/**
 * HighwayHash-64: the keyed hash CometBFT's address book places addresses into buckets with
 * (Google's HighwayHash, as `github.com/minio/highwayhash` computes it). Checked against
 * vectors computed by that package.
 * @module
 */

const INIT0 = [0xdbe6d5d5fe4cce2fn, 0xa4093822299f31d0n, 0x13198a2e03707344n, 0x243f6a8885a308d3n];
const INIT1 = [0x3bd39e10cb0ef593n, 0xc0acf169b5f18a8cn, 0xbe5466cf34e90c6cn, 0x452821e638d01377n];
const LOW32 = 0xffffffffn;

/** Swaps the 32-bit halves of a 64-bit word. */
function swapHalves(x: bigint): bigint {
  return BigInt.asUintN(64, (x >> 32n) | (x << 32n));
}

/** v0, v1, mul0, mul1: four lanes each; a BigUint64Array wraps every sum modulo 2^64. */
class State {
  readonly v0 = new BigUint64Array(4);
  readonly v1 = new BigUint64Array(4);
  readonly mul0 = BigUint64Array.from(INIT0);
  readonly mul1 = BigUint64Array.from(INIT1);

  constructor(key: Uint8Array) {
    const k = new DataView(key.buffer, key.byteOffset, 32);
    for (let i = 0; i < 4; i++) {
      const lane = k.getBigUint64(i * 8, true);
      this.v0[i] = INIT0[i] ^ lane;
      this.v1[i] = INIT1[i] ^ swapHalves(lane);
    }
  }

  /** Absorbs one 32-byte packet. */
  update(packet: DataView): void {
    const { v0, v1, mul0, mul1 } = this;
    for (let i = 0; i < 4; i++) {
      v1[i] = v1[i] + packet.getBigUint64(i * 8, true) + mul0[i];
      mul0[i] = mul0[i] ^ ((v1[i] & LOW32) * (v0[i] >> 32n));
      v0[i] = v0[i] + mul1[i];
      mul1[i] = mul1[i] ^ ((v0[i] & LOW32) * (v1[i] >> 32n));
    }
    zipperMergeAdd(v1, 0, v0);
    zipperMergeAdd(v1, 2, v0);
    zipperMergeAdd(v0, 0, v1);
    zipperMergeAdd(v0, 2, v1);
  }

  /** Absorbs the last `length` (1–31) bytes, padded as HighwayHash pads them. */
  remainder(bytes: Uint8Array, length: number): void {
    const mod32 = (BigInt(length) << 32n) + BigInt(length);
    for (let i = 0; i < 4; i++) {
      this.v0[i] = this.v0[i] + mod32;
      const lo = rotl32(Number(this.v1[i] & LOW32), length);
      const hi = rotl32(Number(this.v1[i] >> 32n), length);
      this.v1[i] = (BigInt(hi) << 32n) | BigInt(lo);
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

  /** Four permute-and-update rounds, then the 64-bit result. */
  finish64(): bigint {
    const perm = new DataView(new ArrayBuffer(32));
    for (let round = 0; round < 4; round++) {
      [2, 3, 0, 1].forEach((from, i) => perm.setBigUint64(i * 8, swapHalves(this.v0[from]), true));
      this.update(perm);
    }
    return BigInt.asUintN(64, this.v0[0] + this.v1[0] + this.mul0[0] + this.mul1[0]);
  }
}

function rotl32(x: number, n: number): number {
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
}

const byteAt = (v: bigint, i: number): bigint => v & (0xffn << BigInt(8 * i));

/** HighwayHash's ZipperMergeAndAdd of `from[at]`, `from[at+1]` into `to[at]`, `to[at+1]`. */
function zipperMergeAdd(from: BigUint64Array, at: number, to: BigUint64Array): void {
  const a = from[at];
  const b = from[at + 1];
  const res =
    byteAt(a, 2) +
    (byteAt(b, 7) >> 8n) +
    ((byteAt(a, 5) + byteAt(b, 6)) >> 16n) +
    ((byteAt(a, 3) + byteAt(b, 4)) >> 24n) +
    (byteAt(a, 1) << 32n) +
    (a << 56n);
  const res2 =
    byteAt(a, 7) +
    byteAt(b, 2) +
    (byteAt(a, 6) >> 8n) +
    (byteAt(b, 5) >> 16n) +
    ((byteAt(b, 3) + byteAt(a, 4)) >> 24n) +
    ((b & 0xffn) << 48n) +
    (byteAt(b, 1) << 24n);
  to[at] = to[at] + res;
  to[at + 1] = to[at + 1] + res2;
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
  for (let at = 0; at < whole; at += 32) state.update(new DataView(data.buffer, data.byteOffset + at, 32));
  if (whole < data.length) state.remainder(data.subarray(whole), data.length - whole);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, state.finish64(), true);
  return out;
}
