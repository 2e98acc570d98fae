/**
 * The listener's slots for inbound connections in their handshake. Slots are not first come,
 * first served: when all are taken, a new connection takes the slot of the oldest handshake
 * that has sent nothing yet; else of the oldest handshake, once that one has had its
 * *patience* (a few times as long as recent handshakes took to complete); else the new
 * connection is refused, and its dialer tries again later.
 *
 * Holding a slot therefore costs a host a steady stream of new connections (which the per-host
 * rate limits): a silent socket loses its slot to the next arrival, a socket that sends a little
 * and stalls loses it once past the patience. An honest peer's handshake, which sends at once,
 * keeps getting through while hundreds of hosts each hold a silent socket. And a burst of honest
 * arrivals beyond the slots (thousands of nodes dialing a seed together) does not evict
 * handshakes about to complete for newer ones that would be evicted in turn, so that none would
 * complete: the handshakes under way finish, and the rest come back.
 *
 * ```
 * 3 slots, handshakes typically 50 ms, patience 4 × 50 ms:
 *   a b c talking, d arrives 5 ms after a:    d refused (none past 200 ms)
 *   a silent, d arrives:                      d takes a's slot
 *   a talking, d arrives 210 ms after a:      d takes a's slot
 * ```
 * @module
 */

/** A handshake holding a slot. */
export interface SlotHolder {
  /** True while nothing has been received from the peer. */
  silent(): boolean;
  /** Ends the handshake: its slot was given to a newer connection. */
  evict(): void;
}

/**
 * How long a talking handshake keeps its slot against newer connections: `factor` × the
 * typical duration of recent completed handshakes (a moving average), within `[least, most]`
 * ms; `most` until one has completed.
 */
export const handshakePatience = Object.freeze({ factor: 4, least: 100, most: 2000 });

/** Frees a slot (idempotent); `completed`: the handshake succeeded, and its duration counts. */
export type FreeSlot = (completed?: boolean) => void;

/** At most `max` handshakes at once; see the module's description. */
export class HandshakeSlots {
  /** Holders and when each took its slot, in that order (a Map keeps insertion order). */
  private readonly holders = new Map<SlotHolder, number>();
  /** Moving average of completed handshakes' durations, ms. */
  private typical: number | undefined;
  /** Handshakes ended to give their slot to a newer one. */
  evictions = 0;
  /** New connections refused: every slot held by a talking handshake within its patience. */
  refusals = 0;

  constructor(
    readonly max: number,
    private readonly clock: { now(): number },
  ) {}

  /** Slots taken. */
  get size(): number {
    return this.holders.size;
  }

  /** How long a talking handshake keeps its slot now, ms (see {@link handshakePatience}). */
  get patience(): number {
    const { factor, least, most } = handshakePatience;
    return this.typical === undefined ? most : Math.min(most, Math.max(least, factor * this.typical));
  }

  /**
   * Gives `holder` a slot, first ending the oldest silent handshake, else the oldest one past
   * its patience, when every slot is taken. Returns the function that frees the slot, or
   * `undefined` when `holder` is refused.
   */
  take(holder: SlotHolder): FreeSlot | undefined {
    const now = this.clock.now();
    if (this.holders.size >= this.max && !this.evictOne(now)) {
      this.refusals++;
      return undefined;
    }
    this.holders.set(holder, now);
    return (completed = false) => {
      const since = this.holders.get(holder);
      if (since === undefined) return;
      this.holders.delete(holder);
      if (completed) {
        const took = this.clock.now() - since;
        this.typical = this.typical === undefined ? took : this.typical + (took - this.typical) / 8;
      }
    };
  }

  private evictOne(now: number): boolean {
    let victim: SlotHolder | undefined;
    for (const h of this.holders.keys())
      if (h.silent()) {
        victim = h;
        break;
      }
    if (victim === undefined) {
      const oldest = this.holders.entries().next().value;
      if (oldest !== undefined && now - oldest[1] >= this.patience) victim = oldest[0];
    }
    if (victim === undefined) return false;
    this.holders.delete(victim);
    this.evictions++;
    victim.evict();
    return true;
  }
}
