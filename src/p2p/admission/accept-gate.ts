/**
 * Admission of a socket at accept, before any cryptography: the remote host's limits (see
 * {@link HostAdmission}), then the user's address filter, then a handshake slot (see
 * {@link HandshakeSlots}). A refused socket is reset at once; an admitted one counts for its
 * host until it closes, and holds its slot until its handshake ends.
 * @module
 */
import type { Socket } from "node:net";
import { asyncScheduler, type SchedulerLike } from "rxjs";
import type { MConnError } from "../../error-base.js";
import { PeerRejectedError } from "../errors.js";
import { HandshakeSlots } from "./handshake-slots.js";
import { HostAdmission, hostLimitsDefaults, type HostLimits } from "./host-admission.js";

/** The limits and filter applied at accept. */
export interface AcceptOptions {
  /**
   * Most inbound handshakes in progress at once on the listener; a further socket takes the slot
   * of the oldest silent handshake, else of the oldest past its patience, else is refused (see
   * {@link HandshakeSlots}).
   */
  readonly maxPendingHandshakes: number;
  /**
   * A filter on the remote socket address; `false` closes the connection before the handshake
   * (refused with `PeerRejectedError` `filter`), and so does an error, which is the refusal's.
   */
  readonly filterAddress?: (host: string, port: number) => boolean | MConnError;
  /** Limits per remote IP on inbound connections (default {@link hostLimitsDefaults}). */
  readonly hostLimits?: HostLimits;
  readonly scheduler?: SchedulerLike;
}

/** An accepted connection as the gate sees it (a TCP socket, or a simulated one). */
export interface Arrival {
  /** The remote IP the host limits count under (an IPv4-mapped IPv6 address written as IPv4). */
  readonly ip: string;
  /** The remote address as the connection gives it, for the address filter and messages. */
  readonly host: string;
  readonly port: number;
  /** Bytes read from it so far: 0 while it has said nothing. */
  readonly bytesRead: number;
  /** Calls `release` once the connection has closed. */
  onClose(release: () => void): void;
}

/** A socket let in: tell it when its handshake ends (either way). */
export interface AcceptPass {
  /**
   * Frees the handshake slot and the host's handshake count; `completed`: the handshake
   * succeeded (its duration sets the slots' patience). Idempotent.
   */
  handshakeDone(completed?: boolean): void;
  /** True once the slot was given to a newer connection (the socket was refused then). */
  readonly evicted: boolean;
}

/** The accept-time checks of one listener; see the module's description. */
export class AcceptGate {
  private readonly slots: HandshakeSlots;
  private readonly hosts: HostAdmission;

  constructor(private readonly options: AcceptOptions) {
    const scheduler = options.scheduler ?? asyncScheduler;
    this.slots = new HandshakeSlots(options.maxPendingHandshakes, scheduler);
    this.hosts = new HostAdmission(options.hostLimits ?? hostLimitsDefaults, scheduler);
  }

  /**
   * Admits `arrival`, or refuses it: `refuse` is called with the typed error (now, or later when
   * its slot is given to a newer connection) and is expected to close the connection. Returns
   * `undefined` when it is not admitted.
   */
  admit(arrival: Arrival, refuse: (error: MConnError) => void): AcceptPass | undefined {
    const admitted = this.hosts.admit(arrival.ip);
    if ("refused" in admitted) {
      refuse(new PeerRejectedError(admitted.refused, admitted.message));
      return undefined;
    }
    const { ticket } = admitted;
    arrival.onClose(ticket.release);
    const verdict = this.options.filterAddress?.(arrival.host, arrival.port) ?? true;
    if (verdict !== true) {
      refuse(verdict === false ? new PeerRejectedError("filter", `address ${arrival.host}:${arrival.port} refused by the filter`) : verdict);
      return undefined;
    }
    let evicted = false;
    const freeSlot = this.slots.take({
      silent: () => arrival.bytesRead === 0,
      evict: () => {
        evicted = true;
        refuse(new PeerRejectedError("max-handshakes", `every handshake slot was taken (${this.slots.max}): the oldest ${arrival.bytesRead === 0 ? "silent " : ""}handshake gave its slot to a newer connection`));
      },
    });
    if (freeSlot === undefined) {
      refuse(new PeerRejectedError("max-handshakes", `every handshake slot (${this.slots.max}) is held by a handshake under way for less than ${Math.round(this.slots.patience)} ms: try again later`));
      return undefined;
    }
    return {
      handshakeDone: (completed = false) => {
        freeSlot(completed);
        ticket.handshakeDone();
      },
      get evicted() {
        return evicted;
      },
    };
  }
}

/** A TCP socket as the gate sees it; undefined once it is gone (no remote address). */
export function socketArrival(socket: Socket): Arrival | undefined {
  const ip = hostOf(socket.remoteAddress);
  if (ip === undefined) return undefined;
  return {
    ip,
    host: socket.remoteAddress ?? ip,
    port: socket.remotePort ?? 0,
    get bytesRead() {
      return socket.bytesRead;
    },
    onClose: (release) => socket.once("close", release),
  };
}

function hostOf(remoteAddress: string | undefined): string | undefined {
  if (remoteAddress === undefined) return undefined;
  return remoteAddress.startsWith("::ffff:") && remoteAddress.includes(".") ? remoteAddress.slice(7) : remoteAddress;
}
