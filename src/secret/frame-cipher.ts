/**
 * SecretConnection's sealed frames: `LE32(length) ‖ data (≤ 1024) ‖ padding` = 1028 bytes,
 * sealed with ChaCha20-Poly1305 (libsodium, via `sodium-native`) into 1044 bytes, under a nonce
 * of 4 zero bytes and a little-endian 64-bit frame counter, one counter per direction.
 * @module
 */
import { sodium } from "./sodium.js";
import type { MConnError } from "../error-base.js";
import { EmptyFramesError, FrameAuthenticationError, FrameLengthError, NonceExhaustedError } from "./errors.js";

/** The IETF ChaCha20-Poly1305 calls of libsodium (missing from the published typings). */
export interface IetfAead {
  /** Seals `message` into `ciphertext` (message length + 16); returns the bytes written. */
  crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext: Uint8Array, message: Uint8Array, ad: Uint8Array | null, nsec: null, nonce: Uint8Array, key: Uint8Array): number;
  /** Opens `ciphertext` into `message`; throws when authentication fails. */
  crypto_aead_chacha20poly1305_ietf_decrypt(message: Uint8Array, nsec: null, ciphertext: Uint8Array, ad: Uint8Array | null, nonce: Uint8Array, key: Uint8Array): number;
}
/** libsodium's AEAD calls; each cipher takes them once, when made. */
const ietfAead = (): IetfAead => sodium() as unknown as IetfAead;

/** Data bytes in one frame. */
export const FRAME_DATA_MAX = 1024;
/** Plaintext bytes of one frame: the length and the (padded) data. */
export const FRAME_PLAIN_SIZE = 4 + FRAME_DATA_MAX;
/** Empty frames in a row that end the stream (CometBFT: bufio's `maxConsecutiveEmptyReads`). */
export const MAX_EMPTY_FRAMES = 100;
/** Bytes of one sealed frame on the wire. */
export const FRAME_SEALED_SIZE = FRAME_PLAIN_SIZE + 16;

/** A direction's frame counter, as the 12-byte nonce it stands for. */
class NonceCounter {
  readonly nonce = Buffer.alloc(12);
  /** The counter's halves, kept as numbers so that the per-frame path reads no bytes back. */
  private lo: number;
  private hi: number;

  /** @param start the first counter value (tests start near the end to reach exhaustion). */
  constructor(start: bigint) {
    this.lo = Number(start & 0xffffffffn);
    this.hi = Number((start >> 32n) & 0xffffffffn);
    this.nonce.writeBigUInt64LE(start, 4);
  }

  /** The current counter value. */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Moves to the next frame; the last value (2^64 − 1) is never used, as in CometBFT. */
  next(): void {
    if (this.lo !== 0xffffffff) this.lo++;
    else {
      this.lo = 0;
      this.hi++;
    }
    this.nonce.writeUInt32LE(this.lo, 4);
    if (this.lo === 0) this.nonce.writeUInt32LE(this.hi, 8);
  }

  /** Whether the counter reached 2^64 − 1, which is never used. */
  get exhausted(): boolean {
    return this.lo === 0xffffffff && this.hi === 0xffffffff;
  }
}

/** Frames sealed into one reused output buffer: every call of a bulk flow fills at most this many. */
const REUSED_FRAMES = 64;

/** Seals outgoing data into frames. */
export class FrameSealer {
  private readonly aead = ietfAead();
  private readonly key: Buffer;
  private readonly counter: NonceCounter;
  /** The buffer of the last {@link FrameSealer.seal}, which `reuse` may seal into again. */
  private last: Buffer | undefined;
  /**
   * Views of `last`, per frame: the sealed frame and its plaintext (its first 1028 bytes), made
   * once per buffer, as libsodium wants exact lengths.
   */
  private slots: { sealed: Uint8Array; plain: Uint8Array }[] = [];

  constructor(key: Uint8Array, firstCounter = 0n) {
    if (key.length !== 32) throw new RangeError("a ChaCha20-Poly1305 key has 32 bytes");
    this.key = Buffer.from(key);
    this.counter = new NonceCounter(firstCounter);
  }

  /** The counter the next frame will be sealed under. */
  get nextFrame(): bigint {
    return this.counter.value;
  }

  /**
   * Seals `data` as ⌈length / 1024⌉ frames, returned as one buffer. Empty data gives an empty
   * buffer (an empty frame is never sent). With `reuse`, the frames are sealed into the memory
   * of the buffer the previous call returned, when it is large enough: the caller says by it
   * that nothing refers to that buffer any more.
   *
   * Each frame is sealed in place: `data` is copied once, to the end of the output, then each
   * frame's data moves down to its slot (behind its length field) and is encrypted where it
   * lies; a frame's slot ends before the data of the next frame starts, as every frame adds 20
   * bytes and the data starts at least 20 bytes per frame from the start.
   * @throws {NonceExhaustedError} when the counter runs out (nothing of `data` is sealed then).
   */
  seal(data: Uint8Array, reuse = false): Buffer {
    const frames = Math.ceil(data.length / FRAME_DATA_MAX);
    if (frames === 0) return Buffer.alloc(0);
    const size = frames * FRAME_SEALED_SIZE;
    let out = this.last;
    if (!reuse || out === undefined || out.length < size) {
      out = Buffer.allocUnsafe(Math.max(size, REUSED_FRAMES * FRAME_SEALED_SIZE));
      this.last = out;
      this.slots = [];
    }
    const from = size - data.length;
    out.set(data, from);
    for (let f = 0; f < frames; f++) {
      if (this.counter.exhausted) throw new NonceExhaustedError();
      const at = f * FRAME_SEALED_SIZE;
      const start = from + f * FRAME_DATA_MAX;
      const length = Math.min(FRAME_DATA_MAX, size - start);
      out.copyWithin(at + 4, start, start + length);
      out[at] = length & 0xff;
      out[at + 1] = length >>> 8;
      out[at + 2] = 0;
      out[at + 3] = 0;
      if (length < FRAME_DATA_MAX) out.fill(0, at + 4 + length, at + FRAME_PLAIN_SIZE);
      const slot = (this.slots[f] ??= { sealed: view(out, at, FRAME_SEALED_SIZE), plain: view(out, at, FRAME_PLAIN_SIZE) });
      this.aead.crypto_aead_chacha20poly1305_ietf_encrypt(slot.sealed, slot.plain, null, null, this.counter.nonce, this.key);
      this.counter.next();
    }
    return out.length === size ? out : out.subarray(0, size);
  }
}

/** Opens incoming frames, however the bytes are cut. */
export class FrameOpener {
  private readonly aead = ietfAead();
  private readonly key: Buffer;
  private readonly counter: NonceCounter;
  /** Bytes of an incomplete sealed frame carried to the next chunk (< 1044). */
  private partial = Buffer.alloc(0);
  /** Empty frames opened in a row. */
  private emptyRun = 0;

  constructor(key: Uint8Array, firstCounter = 0n) {
    if (key.length !== 32) throw new RangeError("a ChaCha20-Poly1305 key has 32 bytes");
    this.key = Buffer.from(key);
    this.counter = new NonceCounter(firstCounter);
  }

  /** Bytes held of a frame not yet complete. */
  get pending(): number {
    return this.partial.length;
  }

  /**
   * Opens every frame completed by `chunk` and returns their data, concatenated (possibly
   * empty). Holds at most one incomplete frame between calls.
   * @throws {FrameAuthenticationError | FrameLengthError | NonceExhaustedError}; after a
   * throw the opener must not be used again.
   */
  open(chunk: Uint8Array): Buffer {
    const { data, error } = this.openUntilError(chunk);
    if (error !== undefined) throw error;
    return data;
  }

  /**
   * Like {@link FrameOpener.open}, but a frame that fails does not discard the frames before
   * it in the same chunk: their data comes back together with the error.
   */
  openUntilError(chunk: Uint8Array): { data: Buffer; error?: MConnError } {
    const held = this.partial.length;
    const frames = Math.floor((held + chunk.length) / FRAME_SEALED_SIZE);
    if (frames === 0) {
      this.partial = held === 0 ? Buffer.from(chunk) : Buffer.concat([this.partial, chunk]);
      return { data: Buffer.alloc(0) };
    }
    // Each frame opens into the space after the data gathered so far, then its data moves down
    // over its own length field: one buffer, no per-frame allocation. Only the frame that
    // straddles the previous chunk is assembled in a copy; the others are read in place.
    const out = Buffer.allocUnsafe(frames * FRAME_PLAIN_SIZE);
    let cursor = 0;
    let at = 0; // where the next whole frame starts in `chunk`
    for (let f = 0; f < frames; f++) {
      let sealed: Uint8Array;
      if (f === 0 && held > 0) {
        at = FRAME_SEALED_SIZE - held;
        sealed = Buffer.concat([this.partial, chunk.subarray(0, at)]);
      } else {
        sealed = view(chunk, at, FRAME_SEALED_SIZE);
        at += FRAME_SEALED_SIZE;
      }
      const slot = view(out, cursor, FRAME_PLAIN_SIZE);
      const error = this.openFrame(sealed, slot);
      if (error !== undefined) {
        this.partial = Buffer.alloc(0);
        return { data: out.subarray(0, cursor), error };
      }
      const length = out.readUInt32LE(cursor);
      out.copyWithin(cursor, cursor + 4, cursor + 4 + length);
      cursor += length;
    }
    // The rest (less than a frame) is copied: holding a view would pin the whole chunk.
    this.partial = Buffer.from(chunk.subarray(at));
    return { data: out.subarray(0, cursor) };
  }

  /** Opens one sealed frame into `slot` (1028 bytes); the error when it must not be used. */
  private openFrame(sealed: Uint8Array, slot: Uint8Array): MConnError | undefined {
    if (this.counter.exhausted) return new NonceExhaustedError();
    try {
      this.aead.crypto_aead_chacha20poly1305_ietf_decrypt(slot, null, sealed, null, this.counter.nonce, this.key);
    } catch {
      return new FrameAuthenticationError(this.counter.value);
    }
    this.counter.next();
    const length = (slot[0] | (slot[1] << 8) | (slot[2] << 16) | (slot[3] << 24)) >>> 0;
    if (length > FRAME_DATA_MAX) return new FrameLengthError(length);
    if (length > 0) this.emptyRun = 0;
    else if (++this.emptyRun >= MAX_EMPTY_FRAMES) return new EmptyFramesError(this.emptyRun);
    return undefined;
  }
}

/** `length` bytes of `buf` from `start`, as a plain view (cheaper than `Buffer#subarray`). */
function view(buf: Uint8Array, start: number, length: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, length);
}
