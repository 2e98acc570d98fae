/**
 * Merlin transcripts (merlin.cool) over {@link Strobe128}: a running hash of labelled messages
 * from which both sides of a protocol draw the same challenges.
 * @module
 */
import { Strobe128 } from "./strobe.js";

const encoder = new TextEncoder();
const bytesOf = (label: string | Uint8Array) => (typeof label === "string" ? encoder.encode(label) : label);

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
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
    const m = bytesOf(message);
    this.strobe.metaAd(bytesOf(label));
    this.strobe.metaAd(le32(m.length), true);
    this.strobe.ad(m);
  }

  /** Draws `length` challenge bytes under `label` (this also advances the transcript). */
  challengeBytes(label: string | Uint8Array, length: number): Uint8Array {
    this.strobe.metaAd(bytesOf(label));
    this.strobe.metaAd(le32(length), true);
    return this.strobe.prf(length);
  }
}
