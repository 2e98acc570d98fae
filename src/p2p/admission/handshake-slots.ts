/**
 * The listener's slots for inbound connections in their handshake. Slots are not first come,
 * first served: when all are taken, a new connection takes the slot of the oldest handshake
 * that has sent nothing yet, or else of the oldest handshake. Holding a slot therefore costs a
 * host a steady stream of new connections (which the per-host rate limits), and an honest
 * peer's handshake, which sends at once and lasts milliseconds, keeps getting through while
 * hundreds of hosts each hold a silent socket.
 * @module
 */

/** A handshake holding a slot. */
export interface SlotHolder {
  /** True while nothing has been received from the peer. */
  silent(): boolean;
  /** Ends the handshake: its slot was given to a newer connection. */
  evict(): void;
}

/** At most `max` handshakes at once; see the module's description. */
export class HandshakeSlots {
  /** Holders in the order they took their slot (a Set keeps insertion order). */
  private readonly holders = new Set<SlotHolder>();
  /** Handshakes ended to give their slot to a newer one. */
  evictions = 0;

  constructor(readonly max: number) {}

  /** Slots taken. */
  get size(): number {
    return this.holders.size;
  }

  /**
   * Gives `holder` a slot, first ending the oldest silent handshake (else the oldest) when every
   * slot is taken. Returns the function that frees the slot (idempotent).
   */
  take(holder: SlotHolder): () => void {
    if (this.holders.size >= this.max) this.evictOne();
    this.holders.add(holder);
    return () => void this.holders.delete(holder);
  }

  private evictOne(): void {
    let victim: SlotHolder | undefined;
    for (const h of this.holders)
      if (h.silent()) {
        victim = h;
        break;
      }
    victim ??= this.holders.values().next().value;
    if (victim === undefined) return;
    this.holders.delete(victim);
    this.evictions++;
    victim.evict();
  }
}
