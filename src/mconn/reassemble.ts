import { Observable, type OperatorFunction } from "rxjs";
import { MessageTooLargeError, TruncatedError, UnknownChannelError } from "../errors.js";
import type { MsgPacket } from "../wire/packet.js";

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
  constructor(readonly capacity: number) {}

  /** Appends a fragment; returns the whole message on eof. */
  append(channelId: number, data: Uint8Array, eof: boolean): Uint8Array | undefined {
    const needed = this.length + data.length;
    if (needed > this.capacity) {
      this.reset();
      throw new MessageTooLargeError(channelId, needed, this.capacity);
    }
    if (eof && this.length === 0) return data.slice();
    if (this.buf === undefined || this.buf.length < needed) {
      let size = Math.max(this.buf?.length ?? 0, Math.min(INITIAL_BUFFER, this.capacity));
      while (size < needed) size = Math.min(size * 2, this.capacity);
      const grown = new Uint8Array(size);
      if (this.buf !== undefined) grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(data, this.length);
    this.length = needed;
    if (!eof) return undefined;
    const message = this.buf.length === needed ? this.buf : this.buf.subarray(0, needed);
    this.buf = undefined;
    this.length = 0;
    return message;
  }

  reset(): void {
    this.buf = undefined;
    this.length = 0;
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
  return (source) =>
    new Observable<ChannelMessage>((subscriber) => {
      const table: (Assembly | undefined)[] = new Array(256);
      for (const ch of channels) table[ch.id] = new Assembly(ch.recvMessageCapacity);
      return source.subscribe({
        next: (packet) => {
          const id = packet.channelId;
          const assembly = id >= 0 && id <= 255 ? table[id] : undefined;
          if (assembly === undefined) {
            subscriber.error(new UnknownChannelError(id));
            return;
          }
          let message: Uint8Array | undefined;
          try {
            message = assembly.append(id, packet.data, packet.eof);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          if (message !== undefined) subscriber.next({ channelId: id, message });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          const open = table.findIndex((a) => a !== undefined && a.length > 0);
          if (open >= 0) subscriber.error(new TruncatedError(`stream ended inside a message on channel ${open} (${table[open]!.length} bytes of it received)`));
          else subscriber.complete();
        },
      });
    });
}
