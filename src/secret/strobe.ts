/**
 * STROBE-128/1600 (STROBE v1.0.2): the duplex sponge under Merlin transcripts. Every operation
 * is here so the known-answer tests run in full; the secret handshake uses meta-AD, AD and PRF.
 * The permutation is Keccak-f[1600] (`keccak.ts`).
 * @module
 */
import { InternalError } from "../error-base.js";
import { keccakF1600 } from "./keccak.js";

/** Operation flags (STROBE §6.2). */
export const Flag = { I: 0x01, A: 0x02, C: 0x04, T: 0x08, M: 0x10, K: 0x20 } as const;

/** The operations by their flags (without M; add `Flag.M` for the meta variant). */
export const Op = {
  AD: Flag.A,
  KEY: Flag.A | Flag.C,
  PRF: Flag.I | Flag.A | Flag.C,
  SEND_CLR: Flag.A | Flag.T,
  RECV_CLR: Flag.I | Flag.A | Flag.T,
  SEND_ENC: Flag.A | Flag.C | Flag.T,
  RECV_ENC: Flag.I | Flag.A | Flag.C | Flag.T,
  SEND_MAC: Flag.C | Flag.T,
  RECV_MAC: Flag.I | Flag.C | Flag.T,
  RATCHET: Flag.C,
} as const;

const STATE_BYTES = 200;
/** Rate of STROBE-128: 200 − 128/4 − 2. */
const RATE = 166;

/** A STROBE-128 object. Operations mutate it; {@link Strobe128.clone} forks it. */
export class Strobe128 {
  private readonly state = new Uint8Array(STATE_BYTES);
  private readonly lanes = new Uint32Array(this.state.buffer);
  private pos = 0;
  private posBegin = 0;
  private curFlags = 0;
  /** Undefined until the first transport (T) operation fixes our role. */
  private isReceiver: boolean | undefined;

  /** A fresh object for `protocol` (the customisation label). */
  constructor(protocol: Uint8Array) {
    this.state.set([1, RATE + 2, 1, 0, 1, 96]);
    this.state.set(new TextEncoder().encode("STROBEv1.0.2"), 6);
    this.permute();
    this.operate(Flag.A | Flag.M, protocol, false);
  }

  /** The 200 state bytes (a copy), for known-answer tests. */
  stateBytes(): Uint8Array {
    return this.state.slice();
  }

  /** An independent copy of this object. */
  clone(): Strobe128 {
    const copy = Object.create(Strobe128.prototype) as Strobe128;
    const fields = copy as unknown as { state: Uint8Array; lanes: Uint32Array };
    fields.state = this.state.slice();
    fields.lanes = new Uint32Array(fields.state.buffer);
    copy.pos = this.pos;
    copy.posBegin = this.posBegin;
    copy.curFlags = this.curFlags;
    copy.isReceiver = this.isReceiver;
    return copy;
  }

  /** Absorbs associated data. */
  ad(data: Uint8Array, more = false): void {
    this.start(Op.AD, more);
    this.absorb(data);
  }

  /** Absorbs associated metadata (framing). */
  metaAd(data: Uint8Array, more = false): void {
    this.start(Op.AD | Flag.M, more);
    this.absorb(data);
  }

  /** Squeezes `length` pseudorandom bytes. */
  prf(length: number, more = false): Uint8Array {
    return this.operate(Op.PRF, new Uint8Array(length), more);
  }

  /** Keys the object with `key`. */
  key(key: Uint8Array, more = false): void {
    this.operate(Op.KEY, key, more);
  }

  /**
   * Runs one operation over `data` and returns its output (the input, transformed as the
   * operation says; for absorbing operations, a copy of the input). `flags` is one of {@link Op},
   * optionally with `Flag.M`. With `more`, continues the previous operation, which must have had
   * the same flags.
   */
  operate(flags: number, data: Uint8Array, more: boolean): Uint8Array {
    this.start(flags, more);
    const out = data.slice();
    const f = flags & ~Flag.M;
    const s = this.state;
    let pos = this.pos;
    if ((f & (Flag.C | Flag.T)) === (Flag.C | Flag.T) && (f & Flag.I) === 0) {
      // send_ENC, send_MAC: absorb, output the new state.
      for (let i = 0; i < out.length; i++) {
        s[pos] ^= out[i];
        out[i] = s[pos];
        if (++pos === RATE) pos = this.runF(pos);
      }
    } else if (f === Flag.C) {
      // RATCHET: zero as many state bytes as the input is long.
      for (let i = 0; i < out.length; i++) {
        s[pos] = 0;
        if (++pos === RATE) pos = this.runF(pos);
      }
    } else if ((f & Flag.C) !== 0) {
      // KEY, PRF, recv_ENC, recv_MAC: output input ⊕ state, the state takes the input.
      for (let i = 0; i < out.length; i++) {
        const b = out[i];
        out[i] = b ^ s[pos];
        s[pos] = b;
        if (++pos === RATE) pos = this.runF(pos);
      }
    } else {
      // AD, CLR: absorb.
      this.absorb(out);
      return out;
    }
    this.pos = pos;
    return out;
  }

  /** Begins an operation with `flags`, or checks that `more` continues one with the same. */
  private start(flags: number, more: boolean): void {
    if (!more) this.beginOp(flags);
    else if (flags !== this.curFlags) throw new InternalError(`STROBE: "more" continues flags ${this.curFlags}, got ${flags}`);
  }

  /** XORs `data` into the state (the absorbing operations), permuting at each full rate. */
  private absorb(data: Uint8Array): void {
    const s = this.state;
    let pos = this.pos;
    for (let i = 0; i < data.length; i++) {
      s[pos] ^= data[i];
      if (++pos === RATE) pos = this.runF(pos);
    }
    this.pos = pos;
  }

  private beginOp(flags: number): void {
    this.curFlags = flags;
    let absorbed = flags;
    if ((flags & Flag.T) !== 0) {
      const receiving = (flags & Flag.I) !== 0;
      this.isReceiver ??= receiving;
      absorbed = (flags & ~Flag.I) | (this.isReceiver !== receiving ? Flag.I : 0);
    }
    const oldBegin = this.posBegin;
    this.posBegin = this.pos + 1;
    this.absorbByte(oldBegin);
    this.absorbByte(absorbed);
    if ((flags & (Flag.C | Flag.K)) !== 0 && this.pos !== 0) this.runF(this.pos);
  }

  private absorbByte(b: number): void {
    this.state[this.pos] ^= b;
    this.advance();
  }

  private advance(): void {
    if (++this.pos === RATE) this.runF(this.pos);
  }

  /** Pads at `pos` and permutes; returns the new position (0). */
  private runF(pos: number): number {
    this.state[pos] ^= this.posBegin;
    this.state[pos + 1] ^= 0x04;
    this.state[RATE + 1] ^= 0x80;
    this.permute();
    this.pos = 0;
    this.posBegin = 0;
    return 0;
  }

  private permute(): void {
    keccakF1600(this.lanes);
  }
}
