/**
 * Which heights `consensusEvents$` listens to: those near the height of at least half
 * of the peers, so that one peer telling of a far height moves nobody's window but its own.
 * @module
 */
import type { Peer } from "../p2p/peer.js";

/** A peer's height as far as we know it: from its round steps, or its first event until it sends one. */
interface Known {
  height: bigint;
  fromStep: boolean;
}

/**
 * The heights of the peers, and the heights within `reach` of at least half of them.
 *
 * A peer's height is the highest height of its round steps (`NewRoundStep`, which CometBFT
 * sends on connecting and at every step); until it sent one, the height of its first event. A
 * height `h` is accepted when, for at least half of the peers still running, `|h − height| <
 * reach`. So a peer claiming height 2⁶³−1 makes that height accepted only while it is half of
 * the peers or more, and the heights the others are at stay accepted whatever it claims. At
 * most 2 × (2 × `reach` − 1) heights are accepted at any time (each one needs half of the
 * peers, and each peer is near 2 × `reach` − 1 of them).
 *
 * Work per event: constant while no peer's height changes; a change (at most one per new
 * height a peer steps to) costs a sort of the peers' heights.
 */
export class PeerHeights {
  private readonly known = new Map<Peer, Known>();
  private ranges: readonly (readonly [bigint, bigint])[] = [];

  constructor(private readonly reach: number) {}

  /**
   * Notes that `peer` told of an event at `height` (a round step when `isStep`); true when
   * the accepted heights may have changed.
   */
  note(peer: Peer, height: bigint, isStep: boolean): boolean {
    const was = this.known.get(peer);
    if (was !== undefined && (isStep ? was.fromStep && height <= was.height : true)) return false;
    this.known.set(peer, { height: was?.fromStep === true && was.height > height ? was.height : height, fromStep: isStep });
    this.recompute();
    return true;
  }

  /** True when `height` is within `reach` of the height of at least half of the running peers. */
  accepts(height: bigint): boolean {
    for (const [lo, hi] of this.ranges) if (height >= lo && height <= hi) return true;
    return false;
  }

  /** How many peers are counted (for tests and metrics). */
  get peers(): number {
    return this.known.size;
  }

  private recompute(): void {
    for (const peer of this.known.keys()) if (!peer.isRunning) this.known.delete(peer);
    const reach = BigInt(this.reach);
    // A sweep over where each peer's window opens (+1) and closes (−1 after its last height).
    const edges: [bigint, number][] = [];
    for (const { height } of this.known.values()) edges.push([height - reach + 1n, 1], [height + reach, -1]);
    edges.sort(([a, da], [b, db]) => (a < b ? -1 : a > b ? 1 : da - db));
    const need = Math.ceil(this.known.size / 2);
    const ranges: [bigint, bigint][] = [];
    let count = 0;
    let open: bigint | undefined;
    for (const [at, delta] of edges) {
      count += delta;
      if (open === undefined && count >= need && count > 0) open = at;
      else if (open !== undefined && count < need) {
        ranges.push([open, at - 1n]);
        open = undefined;
      }
    }
    this.ranges = ranges;
  }
}
