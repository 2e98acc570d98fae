/**
 * The simulation's one source of randomness: sfc32 (Chris Doty-Humphrey's small fast counter
 * generator, 128 bits of state), seeded through splitmix32 so that nearby seeds give unrelated
 * streams. Every random choice of a run — link delays, lost dials, node keys, PEX picks, backoff
 * jitter — is drawn from generators forked from the run's seed, so one seed gives one run.
 * @module
 */

/** splitmix32: one step, used to spread a seed over sfc32's state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded generator of numbers in [0, 1), integers and bytes (see the module doc). */
export class SimRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any number; its integer part (and, for forks, the labels) picks the stream. */
  constructor(readonly seed: number) {
    const st = { s: Math.trunc(seed) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st) | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.nextUint32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `next` as a plain function, for options that take `random: () => number`. */
  get fn(): () => number {
    return () => this.next();
  }

  /**
   * An independent generator for `label` (a node's index, say), drawn from this one's seed
   * alone: the same seed and label give the same stream, whatever was drawn before.
   */
  fork(...label: readonly number[]): SimRandom {
    const st = { s: Math.trunc(this.seed) | 0 };
    let h = splitmix32(st);
    for (const n of label) {
      st.s = (h ^ Math.imul(n | 0, 0x27d4eb2d)) | 0;
      h = splitmix32(st);
    }
    return new SimRandom(h);
  }
}
