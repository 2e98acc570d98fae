/**
 * Broadcast without waiting: one message offered to every peer's queue at once, each peer on its
 * own, so the slowest peer never holds back the others (or the caller).
 * @module
 */
import type { Peer } from "./peer.js";

/** What `Switch.broadcast` did, peer by peer. */
export interface BroadcastResult {
  /** Peers whose send queue took the message. */
  readonly queued: number;
  /**
   * Peers whose queue had no room (or whose share of the memory budget was used up): nothing
   * was queued for them, and each drop is counted in that peer's channel `dropped` counter
   * (`peer.status$`, `cometbft_p2p_peer_send_dropped_messages_total`).
   */
  readonly dropped: number;
  /** Peers left out: they did not list the channel in their NodeInfo, or are ending. */
  readonly skipped: number;
}

/**
 * Offers `message` on `channelId` to each of `peers` with `trySend`: queued where there is room
 * now, dropped (and counted) where there is none. Never waits.
 */
export function broadcast(peers: Iterable<Peer>, channelId: number, message: Uint8Array): BroadcastResult {
  let queued = 0;
  let dropped = 0;
  let skipped = 0;
  for (const p of peers) {
    if (!p.connection.acceptsMessages || !p.hasChannel(channelId)) skipped++;
    else if (p.trySend(channelId, message)) queued++;
    else dropped++;
  }
  return { queued, dropped, skipped };
}
