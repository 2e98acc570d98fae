import { map, Observable, type OperatorFunction, type Subscriber } from "rxjs";
import { MessageTooLargeError, UnknownChannelError } from "./errors.js";
import { TruncatedError } from "../wire/errors.js";
import type { MsgPacket, Packet } from "../wire/packet.js";
import type { BudgetAccount, MemoryBudgetError } from "./memory-budget.js";

/** A whole message received on a channel. */
export interface ChannelMessage {
  /** The channel it arrived on. */
  readonly channelId: number;
  /** The message's bytes (a buffer of its own). */
  readonly message: Uint8Array;
}

/** The receive limit of one channel, as {@link reassemble} needs it. */
export interface ReassemblyChannel {
  readonly id: number;
  readonly recvMessageCapacity: number;
}

const INITIAL_BUFFER = 4096; // CometBFT's defaultRecvBufferCapacity

class Assembly {
  buf: Uint8Array | undefined;
  length = 0;
  /** The size of the last message that spanned several packets: where the next one starts. */
  private lastSize = 0;
  constructor(
    readonly capacity: number,
    /** Where buffer growth is reserved from, if anywhere (a process-wide memory budget). */
    private readonly account?: BudgetAccount,
  ) {}

  /** Appends a fragment; returns the whole message on eof. */
  append(channelId: number, data: Uint8Array, eof: boolean): Uint8Array | undefined {
    const needed = this.length + data.length;
    if (needed > this.capacity) {
      this.reset();
      throw new MessageTooLargeError(channelId, needed, this.capacity);
    }
    if (eof && this.length === 0) return data.slice();
    if (this.buf === undefined || this.buf.length < needed) {
      // Start at the last multi-packet message's size (a stream of same-size messages is then
      // copied once, never regrown), else CometBFT's 4 KiB; double from there, up to capacity.
      const held = this.buf?.length ?? 0;
      let size = this.grownSize(Math.max(held, Math.min(Math.max(INITIAL_BUFFER, this.lastSize), this.capacity)), needed);
      // Under pressure the head start on the last message's size gives way: the least growth
      // that holds the message (so a message within the floor always fits the floor).
      if (this.account !== undefined && !this.account.tryReserve(size - held)) {
        size = this.grownSize(Math.max(held, Math.min(INITIAL_BUFFER, this.capacity)), needed);
        try {
          this.account.reserve(size - held);
        } catch (err) {
          this.reset();
          throw err;
        }
      }
      // Uninitialised memory (no zero-filling pass over up to a whole message): every byte handed
      // out is written first, and a tail left unused is zeroed before the buffer leaves.
      const slow = Buffer.allocUnsafeSlow(size);
      const grown = new Uint8Array(slow.buffer, slow.byteOffset, size);
      if (this.buf !== undefined) grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(data, this.length);
    this.length = needed;
    if (!eof) return undefined;
    const buf = this.buf;
    this.account?.release(buf.length); // the message leaves: its memory is the receiver's now
    this.buf = undefined;
    this.length = 0;
    this.lastSize = needed;
    if (buf.length === needed) return buf;
    // Never hand out (and keep alive) a buffer mostly unused.
    if (needed * 2 < buf.length) return buf.slice(0, needed);
    buf.fill(0, needed);
    return buf.subarray(0, needed);
  }

  /** `size` doubled until it holds `needed` bytes, at most the capacity. */
  private grownSize(size: number, needed: number): number {
    while (size < needed) size = Math.min(size * 2, this.capacity);
    return size;
  }

  reset(): void {
    if (this.buf !== undefined) this.account?.release(this.buf.length);
    this.buf = undefined;
    this.length = 0;
  }
}

/** Where {@link Reassembler.feed} delivers: a subscriber, or what stands for one. */
export type ReassemblyOutput = Pick<Subscriber<ChannelMessage>, "next" | "error" | "closed">;

/**
 * Per-channel reassembly state: an {@link Assembly} per declared channel, made at its first
 * packet.
 */
export class Reassembler {
  /** Indexed by channel id, as long as the highest declared id needs (not all 256 ids). */
  private readonly table: (Assembly | undefined)[];

  constructor(
    private readonly channels: readonly ReassemblyChannel[],
    private readonly account?: BudgetAccount,
  ) {
    this.table = new Array<Assembly | undefined>(channels.reduce((n, ch) => Math.max(n, ch.id + 1), 0));
  }

  /**
   * Adds the messages of `batch` (pings and pongs skipped), delivering each message completed
   * to `out`, until a packet is refused (the error goes to `out`, after the messages before it)
   * or `out` is closed.
   */
  feed(batch: readonly Packet[], out: ReassemblyOutput): void {
    for (const packet of batch) {
      if (packet.type !== "msg") continue;
      let message: ChannelMessage | undefined;
      try {
        message = this.push(packet);
      } catch (err) {
        out.error(err);
        return;
      }
      if (message !== undefined) out.next(message);
      if (out.closed) return;
    }
  }

  /** Drops every message in progress (and gives its memory back). */
  reset(): void {
    for (const a of this.table) a?.reset();
  }

  /**
   * Adds one packet; returns the whole message it completes, if any.
   * @throws {UnknownChannelError | MessageTooLargeError | MemoryBudgetError}
   */
  push(packet: MsgPacket): ChannelMessage | undefined {
    const id = packet.channelId;
    const assembly = id >= 0 && id < this.table.length ? (this.table[id] ?? this.assembly(id)) : undefined;
    if (assembly === undefined) throw new UnknownChannelError(id);
    const message = assembly.append(id, packet.data, packet.eof);
    return message === undefined ? undefined : { channelId: id, message };
  }

  /** Channel `id`'s assembly, made now; `undefined` for a channel not declared. */
  private assembly(id: number): Assembly | undefined {
    const ch = this.channels.find((c) => c.id === id);
    return ch === undefined ? undefined : (this.table[id] = new Assembly(ch.recvMessageCapacity, this.account));
  }

  /** The error for a stream that ends now: {@link TruncatedError} if a message is half received. */
  endError(): TruncatedError | undefined {
    const open = this.table.findIndex((a) => a !== undefined && a.length > 0);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- findIndex found this entry defined
    return open < 0 ? undefined : new TruncatedError(`stream ended inside a message on channel ${open} (${this.table[open]!.length} bytes of it received)`);
  }
}

/**
 * Appends each channel's packets until `eof` and emits the whole message. Memory is bounded by
 * each channel's `recvMessageCapacity` (a growing buffer, at most that size, per channel with a
 * message in progress); fragments are copied, so the source's chunks are never retained.
 *
 * ```
 * packets:  -a--b--A--c|      (a, b: channel 1, not eof; A: channel 2, eof; c: channel 1, eof)
 * reassemble(channels)
 * messages: -------X--Y|      (X = A on channel 2; Y = a+b+c on channel 1)
 * ```
 *
 * Errors with {@link UnknownChannelError} for a channel not in `channels` (or outside 0–255) and
 * {@link MessageTooLargeError} when a message outgrows its channel's capacity, and
 * {@link TruncatedError} when the source ends in the middle of a message (the peer went away
 * mid-message): nothing partial is ever emitted.
 */
export function reassemble(channels: readonly ReassemblyChannel[]): OperatorFunction<MsgPacket, ChannelMessage> {
  // The batched form over batches of one: one implementation of the reassembly.
  return (source) => source.pipe(map((packet) => [packet]), reassembleBatches(channels));
}

/**
 * {@link reassemble} over batches of packets (as {@link decodePacketBatches} emits them), skipping
 * pings and pongs: the same messages and errors, with the per-packet work done in one loop per
 * batch. The messages a batch completes before a bad packet are emitted before the error.
 * With `account`, every buffer's growth is reserved from it first (a {@link MemoryBudgetError}
 * when refused) and given back when the message leaves or the subscription ends.
 *
 * ```
 * batches:  -B----C|      (B = [a, ping, b], C = [c]; a, b, c: channel 1, c eof)
 * reassembleBatches(channels)
 * messages: ------Y|      (Y = a+b+c)
 * ```
 */
export function reassembleBatches(channels: readonly ReassemblyChannel[], account?: BudgetAccount): OperatorFunction<readonly Packet[], ChannelMessage> {
  return (source) =>
    new Observable<ChannelMessage>((subscriber) => {
      const reassembler = new Reassembler(channels, account);
      const reading = source.subscribe({
        next: (batch) => reassembler.feed(batch, subscriber),
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          const error = reassembler.endError();
          if (error === undefined) subscriber.complete();
          else subscriber.error(error);
        },
      });
      return () => {
        reading.unsubscribe();
        reassembler.reset();
      };
    });
}
