/**
 * The Switch's dials in progress: at most one per node ID, none to ourselves or to a peer already
 * connected, each cancellable by an `AbortSignal` (a connection made after the cancel is closed).
 * @module
 */
import { cancellable } from "./cancellable.js";
import { DialAbortedError, PeerRejectedError } from "./errors.js";
import { formatNetAddress, type NetAddress } from "./netaddress.js";
import type { TransportConnection } from "./transport.js";

/** Dials in progress; see the module's description. */
export class OutboundDials {
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly ourId: string,
    /** The peers connected now. */
    private readonly connected: () => ReadonlyMap<string, unknown>,
  ) {}

  /**
   * Runs `connect` for `addr` and hands its connection to `admit`, unless `addr` is ourselves,
   * connected or being dialed already, or `signal` cancels it.
   * @throws {PeerRejectedError} `self` or `duplicate-id`; {@link DialAbortedError} when cancelled;
   * otherwise what `connect` or `admit` throws.
   */
  async dial<T>(addr: NetAddress, signal: AbortSignal | undefined, connect: () => Promise<TransportConnection>, admit: (conn: TransportConnection) => T): Promise<T> {
    if (addr.id === this.ourId) throw new PeerRejectedError("self", "refusing to dial ourselves");
    if (this.connected().has(addr.id) || this.inProgress.has(addr.id))
      throw new PeerRejectedError("duplicate-id", `already connected to or dialing ${addr.id}`);
    const aborted = () => new DialAbortedError({ id: addr.id, address: formatNetAddress({ ...addr, id: "" }) }, signal?.reason);
    if (signal?.aborted === true) throw aborted();
    this.inProgress.add(addr.id);
    try {
      const conn = await cancellable(connect(), signal, aborted, (late) => late.duplex.destroy());
      return admit(conn);
    } finally {
      this.inProgress.delete(addr.id);
    }
  }
}
