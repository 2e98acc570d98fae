/**
 * The echo of `rx-mconn node --echo`: every message goes back to its sender on its channel,
 * waiting for room in the peer's send queue (`peer.send`) rather than dropping when it is full.
 *
 * What waits is bounded: at most `bufferBytes` per peer are held (including the message being
 * sent). A message that does not fit, or that the peer does not take within its send timeout
 * (or because it left), is dropped and counted; drops are logged at `warn` on the 1st, 2nd, 4th,
 * 8th … drop, so that a flood cannot flood the log, and the counts are in {@link Echo.counts}.
 */
import type { Logger } from "../logger.js";

/** The part of a `Peer` the echo uses. */
export interface EchoPeer {
  readonly id: string;
  send(channelId: number, message: Uint8Array): Promise<boolean>;
}

/** Why a message was not echoed. */
export type EchoDropReason = "buffer-full" | "not-sent";

/** What the echo has done so far. */
export interface EchoCounts {
  /** Messages the peer's connection took. */
  echoed: number;
  /** Messages dropped (see {@link EchoDropReason}). */
  dropped: number;
}

interface Backlog {
  /** Bytes held for this peer, the message being sent included. */
  bytes: number;
  /** Per channel, in arrival order; the head is being sent. */
  readonly channels: Map<number, Uint8Array[]>;
}

/** Echoes messages back to their senders, per peer and channel in order, within a byte bound. */
export class Echo {
  private readonly backlogs = new Map<EchoPeer, Backlog>();
  private readonly tally: EchoCounts = { echoed: 0, dropped: 0 };

  constructor(
    /** At most this many bytes are held per peer. */
    private readonly bufferBytes: number,
    private readonly log: Logger,
  ) {
    if (!(bufferBytes > 0)) throw new RangeError(`bufferBytes must be positive, got ${bufferBytes}`);
  }

  /** A copy of the counts so far. */
  get counts(): EchoCounts {
    return { ...this.tally };
  }

  /** Sends `message` back to `peer` on `channelId` once the channel has room, or drops it. */
  echo(peer: EchoPeer, channelId: number, message: Uint8Array): void {
    let backlog = this.backlogs.get(peer);
    if (backlog === undefined) this.backlogs.set(peer, (backlog = { bytes: 0, channels: new Map() }));
    if (backlog.bytes + message.length > this.bufferBytes) {
      this.drop(peer, channelId, message, "buffer-full");
      return;
    }
    backlog.bytes += message.length;
    const queue = backlog.channels.get(channelId);
    if (queue !== undefined) queue.push(message);
    else {
      const fresh = [message];
      backlog.channels.set(channelId, fresh);
      void this.pump(peer, backlog, channelId, fresh);
    }
  }

  private async pump(peer: EchoPeer, backlog: Backlog, channelId: number, queue: Uint8Array[]): Promise<void> {
    while (queue.length > 0) {
      const message = queue[0];
      const sent = await peer.send(channelId, message).catch(() => false);
      queue.shift();
      backlog.bytes -= message.length;
      if (sent) this.tally.echoed++;
      else this.drop(peer, channelId, message, "not-sent");
    }
    backlog.channels.delete(channelId);
    if (backlog.channels.size === 0) this.backlogs.delete(peer);
  }

  private drop(peer: EchoPeer, channelId: number, message: Uint8Array, reason: EchoDropReason): void {
    const dropped = ++this.tally.dropped;
    if ((dropped & (dropped - 1)) === 0)
      this.log.warn({ peer: peer.id, channel: channelId, bytes: message.length, reason, dropped, bufferBytes: this.bufferBytes }, "echo dropped");
  }
}
