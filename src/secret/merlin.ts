/**
 * Merlin transcripts (merlin.cool) over {@link Strobe128}: a running hash of labelled messages
 * from which both sides of a protocol draw the same challenges.
 * @module
 */
import { Strobe128 } from "./strobe.js";

const encoder = new TextEncoder();
/** Encoded labels: a protocol uses a handful, the same ones every time. Bounded all the same. */
const labels = new Map<string, Uint8Array>();
const MAX_CACHED_LABELS = 256;

function labelBytes(label: string | Uint8Array): Uint8Array {
  if (typeof label !== "string") return label;
  let bytes = labels.get(label);
  if (bytes === undefined) {
    bytes = encoder.encode(label);
    if (labels.size < MAX_CACHED_LABELS) labels.set(label, bytes);
  }
  return bytes;
}

/** `n` as 4 little-endian bytes, in a scratch buffer that STROBE absorbs at once. */
const lengthBytes = new Uint8Array(4);
function le32(n: number): Uint8Array {
  lengthBytes[0] = n;
  lengthBytes[1] = n >>> 8;
  lengthBytes[2] = n >>> 16;
  lengthBytes[3] = n >>> 24;
  return lengthBytes;
}

/** A Merlin transcript, started with a domain-separation label. */
export class Transcript {
  private readonly strobe: Strobe128;

  /** A transcript for the protocol named `label`. */
  constructor(label: string | Uint8Array);
  /** @internal a fork sharing nothing with its origin */
  constructor(label: Strobe128);
  constructor(label: string | Uint8Array | Strobe128) {
    if (label instanceof Strobe128) {
      this.strobe = label;
      return;
    }
    this.strobe = new Strobe128(encoder.encode("Merlin v1.0"));
    this.appendMessage("dom-sep", label);
  }

  /** An independent copy: what is appended to one does not reach the other. */
  clone(): Transcript {
    return new Transcript(this.strobe.clone());
  }

  /** Absorbs `message` under `label`. */
  appendMessage(label: string | Uint8Array, message: string | Uint8Array): void {
    const m = typeof message === "string" ? encoder.encode(message) : message;
    this.strobe.metaAd(labelBytes(label));
    this.strobe.metaAd(le32(m.length), true);
    this.strobe.ad(m);
  }

  /** Draws `length` challenge bytes under `label` (this also advances the transcript). */
  challengeBytes(label: string | Uint8Array, length: number): Uint8Array {
    this.strobe.metaAd(labelBytes(label));
    this.strobe.metaAd(le32(length), true);
    return this.strobe.prf(length);
  }
}
