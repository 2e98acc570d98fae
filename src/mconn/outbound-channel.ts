/**
 * One channel's outbound side: a bounded queue of whole messages, the message being cut into
 * packets, and `recentlySent`, the byte count the priority scheduler weighs.
 * @module
 */
import type { MsgPacket } from "../wire/packet.js";
import { payloadSizeForChannel } from "../wire/packet.js";
import type { ResolvedChannelDescriptor } from "./channel-descriptor.js";

/** Outbound state of one channel. */
export class OutboundChannel {
  readonly id: number;
  readonly priority: number;
  readonly capacity: number;
  /** Fragment size on this channel (one byte less for ids ≥ 0x80, see `payloadSizeForChannel`). */
  readonly payloadSize: number;
  /** Bytes sent recently (length prefix included), decayed over time by the scheduler. */
  recentlySent = 0;
  /** Bytes of queued messages not yet cut into packets (including the rest of the current one). */
  pendingBytes = 0;
  /** Message bytes cut into packets (handed to the writer) so far. */
  sentBytes = 0;
  /** Messages whose last packet has been cut so far. */
  sentMessages = 0;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private sending: Uint8Array | undefined;
  private offset = 0;

  /**
   * @param onSent told when a message's last packet has been cut (the channel lets go of it);
   * not told for messages dropped by {@link OutboundChannel.clear}.
   */
  constructor(
    descriptor: ResolvedChannelDescriptor,
    maxPayloadSize: number,
    private readonly onSent?: (message: Uint8Array) => void,
  ) {
    this.id = descriptor.id;
    this.priority = descriptor.priority;
    this.capacity = descriptor.sendQueueCapacity;
    this.payloadSize = payloadSizeForChannel(descriptor.id, maxPayloadSize);
  }

  /** Messages waiting in the queue (not counting the one being sent). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** True when the queue has room for one more message. */
  get hasRoom(): boolean {
    return this.queued < this.capacity;
  }

  /** True when there is a packet to send. */
  get hasPending(): boolean {
    return this.sending !== undefined || this.queued > 0;
  }

  /** Queues `message` if there is room; the channel keeps a reference to it until sent. */
  offer(message: Uint8Array): boolean {
    if (!this.hasRoom) return false;
    this.queue.push(message);
    this.pendingBytes += message.length;
    return true;
  }

  /**
   * Cuts the next packet, taking the next queued message when the current one is done.
   * `onDequeue` is told when a message leaves the queue (room for another).
   */
  nextPacket(onDequeue?: (channel: OutboundChannel) => void): MsgPacket | undefined {
    let message = this.sending;
    if (message === undefined) {
      if (this.queued === 0) return undefined;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- queued > 0: the message at head is present
      message = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Uint8Array;
      if (this.head > 32 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.sending = message;
      this.offset = 0;
      onDequeue?.(this);
    }
    const rest = message.length - this.offset;
    const eof = rest <= this.payloadSize;
    const size = eof ? rest : this.payloadSize;
    const data = message.subarray(this.offset, this.offset + size);
    this.offset += size;
    this.pendingBytes -= size;
    this.sentBytes += size;
    if (eof) {
      this.sending = undefined;
      this.sentMessages++;
      this.onSent?.(message);
    }
    return { type: "msg", channelId: this.id, eof, data };
  }

  /** Drops everything queued (used when the connection ends). Returns the messages dropped. */
  clear(): number {
    const dropped = this.queued + (this.sending === undefined ? 0 : 1);
    this.queue.length = 0;
    this.head = 0;
    this.sending = undefined;
    this.pendingBytes = 0;
    return dropped;
  }
}
