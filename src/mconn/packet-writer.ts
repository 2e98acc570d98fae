/**
 * The bottom of MConnection's outbound path: packets encoded into one buffer per write, the
 * buffer reused while the duplex lets go of what it was given, and the duplex's backpressure.
 * @module
 */
import type { SchedulerLike, Subscription } from "rxjs";
import type { ByteDuplex } from "../duplex/byte-duplex.js";
import { WriteStallError } from "./errors.js";
import { encodeBatchInto } from "../wire/encode-packets.js";
import type { Packet } from "../wire/packet.js";

/** Writes under this size use Node's pooled small buffers and keep no buffer of their own. */
const SMALL_WRITE = 4096;

/** How a {@link PacketWriter} watches for a peer that stops reading. */
export interface StallOptions {
  /** How long the duplex may stay full (no `drained()`) after a refused write (ms). */
  readonly timeout: number;
  /** Clock of the wait. */
  readonly scheduler: SchedulerLike;
  /** Told once the wait has passed with nothing drained. */
  readonly onStall: (error: WriteStallError) => void;
}

/**
 * Encodes batches of packets and writes each as one chunk. `writable` turns false when the
 * duplex asks the writer to wait (`write()` returned `false`) and true again on `drained()`;
 * when that wait outlasts the stall timeout, `onStall` is told (the peer reads nothing).
 *
 * Only a buffer that writes keep well filled (a bulk flow) is kept for the next write, and it is
 * reused only when the duplex reports its writes settled; so a quiet connection holds no write
 * buffer between writes, and a busy one allocates none.
 *
 * @example
 * const writer = new PacketWriter(duplex, { timeout: 20_000, scheduler: asyncScheduler, onStall: (e) => end(e) });
 * duplex.drained$.subscribe(() => writer.drained());
 * if (writer.writable) writer.write([PING], 3);
 */
export class PacketWriter {
  /** False from a write the duplex could not take without queueing until `drained()`. */
  writable = true;
  /** Reused for the next write when the duplex says the previous writes are settled. */
  private scratch: Uint8Array | undefined;
  private stallTimer: Subscription | undefined;

  constructor(
    private readonly duplex: ByteDuplex,
    private readonly stall: StallOptions,
  ) {}

  /**
   * Encodes `packets` (`size` bytes on the wire, as `packetWireSize` sums them) into one buffer
   * and writes it. Returns `writable`.
   */
  write(packets: readonly Packet[], size: number): boolean {
    if (!this.duplex.write(this.encode(packets, size))) {
      this.writable = false;
      const { timeout, scheduler, onStall } = this.stall;
      this.stallTimer ??= scheduler.schedule(() => {
        onStall(new WriteStallError(timeout));
      }, timeout);
    }
    return this.writable;
  }

  /** The bytes a write of `size` bytes puts on the wire (more when the duplex seals them). */
  wireSize(size: number): number {
    return this.duplex.wireSize?.(size) ?? size;
  }

  /** The duplex has drained: writing may go on. */
  drained(): void {
    this.writable = true;
    this.stallTimer?.unsubscribe();
    this.stallTimer = undefined;
  }

  /** Cancels the stall timer (the connection has ended). */
  stop(): void {
    this.stallTimer?.unsubscribe();
  }

  private encode(packets: readonly Packet[], size: number): Uint8Array {
    let out = this.scratch;
    if (out === undefined || out.length < size || this.duplex.writesSettled?.() !== true) {
      out = Buffer.allocUnsafe(size < SMALL_WRITE ? size : 2 ** Math.ceil(Math.log2(size)));
    }
    this.scratch = size >= SMALL_WRITE && size * 2 >= out.length ? out : undefined;
    return out.subarray(0, encodeBatchInto(packets, out));
  }
}
