/**
 * The echo of `rx-mconn node --echo`: every message goes back to its sender on its channel,
 * waiting for room in the peer's send queue (`peer.send`) rather than dropping when it is full.
 *
 * What waits is bounded: at most `bufferBytes` per peer are held (including the message being
 * sent), and, with a memory budget, drawn from it (an account per peer, counted under the peer's
 * host): what holds more than its share of a full budget is given back when a peer within its
 * share needs room, and the peer is ended (`onEvict`). A message that does not fit, or that the
 * peer does not take within its send timeout (or because it left), is dropped and counted; drops
 * are logged at `warn` on the 1st, 2nd, 4th, 8th … drop, so that a flood cannot flood the log,
 * and the counts are in {@link Echo.counts}.
 */
import type { Logger } from "../logger.js";
import { addressHost, type BudgetAccount, type MemoryBudget, type MemoryBudgetError } from "../mconn/memory-budget.js";

/** The part of a `Peer` the echo uses. */
export interface EchoPeer {
  readonly id: string;
  /** `host:port` of the peer's socket: its echo is counted under that host in the budget. */
  readonly socketAddr?: string;
  send(channelId: number, message: Uint8Array): Promise<boolean>;
}

/**
 * Why a message was not echoed: past `bufferBytes`, past the peer's share of the memory budget,
 * ended to make room in it, or not taken by the peer's connection.
 */
export type EchoDropReason = "buffer-full" | "memory-budget" | "evicted" | "not-sent";

/** Where the echo's memory comes from, and what to do with a peer whose echo was evicted. */
export interface EchoBudget {
  /** The process's memory budget (a Switch's `memoryBudget`). */
  readonly budget: MemoryBudget;
  /** Told when `peer`'s echo held more than its share of a full budget and was dropped: end the peer. */
  readonly onEvict: (peer: EchoPeer, error: MemoryBudgetError) => void;
}

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
  /** Its part of the memory budget, if any. */
  readonly account: BudgetAccount | undefined;
}

/** Echoes messages back to their senders, per peer and channel in order, within a byte bound. */
export class Echo {
  private readonly backlogs = new Map<EchoPeer, Backlog>();
  private readonly tally: EchoCounts = { echoed: 0, dropped: 0 };

  constructor(
    /** At most this many bytes are held per peer. */
    private readonly bufferBytes: number,
    private readonly log: Logger,
    /** The memory budget the echo draws from, if any. */
    private readonly memory?: EchoBudget,
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
    if (backlog === undefined) this.backlogs.set(peer, (backlog = this.open(peer)));
    if (backlog.bytes + message.length > this.bufferBytes) {
      this.drop(peer, channelId, message, "buffer-full");
      return;
    }
    if (backlog.account !== undefined && !backlog.account.tryReserve(message.length)) {
      this.drop(peer, channelId, message, backlog.account.isClosed ? "evicted" : "memory-budget");
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

  private open(peer: EchoPeer): Backlog {
    const backlog: Backlog = {
      bytes: 0,
      channels: new Map(),
      account: this.memory?.budget.account({
        ...(peer.socketAddr === undefined ? {} : { host: addressHost(peer.socketAddr) }),
        onEvict: (error) => {
          // What waits behind the message being sent is dropped now; the peer is ended.
          for (const [channelId, queue] of backlog.channels)
            for (const message of queue.splice(1)) {
              backlog.bytes -= message.length;
              this.drop(peer, channelId, message, "evicted");
            }
          this.memory?.onEvict(peer, error);
        },
      }),
    };
    return backlog;
  }

  private async pump(peer: EchoPeer, backlog: Backlog, channelId: number, queue: Uint8Array[]): Promise<void> {
    while (queue.length > 0) {
      const message = queue[0];
      const sent = await peer.send(channelId, message).catch(() => false);
      queue.shift();
      backlog.bytes -= message.length;
      backlog.account?.release(message.length);
      if (sent) this.tally.echoed++;
      else this.drop(peer, channelId, message, "not-sent");
    }
    backlog.channels.delete(channelId);
    if (backlog.channels.size === 0) {
      this.backlogs.delete(peer);
      backlog.account?.close();
    }
  }

  private drop(peer: EchoPeer, channelId: number, message: Uint8Array, reason: EchoDropReason): void {
    const dropped = ++this.tally.dropped;
    if ((dropped & (dropped - 1)) === 0)
      this.log.warn({ peer: peer.id, channel: channelId, bytes: message.length, reason, dropped, bufferBytes: this.bufferBytes }, "echo dropped");
  }
}
