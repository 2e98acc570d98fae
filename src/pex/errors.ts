/**
 * Errors of discovery: addresses the book refuses, address book files that do not load, and
 * peers that break the PEX protocol (each names its peer).
 * @module
 */
import { MConnError, namePeer, ProtocolError, type PeerRef } from "../error-base.js";

/** Why the book refused an address. */
export type AddressRefusal = "invalid" | "banned" | "private" | "private-source" | "self" | "non-routable" | "source-full" | "group-full";

/** An address the book did not take, and why. Not a fault of the peer by itself. */
export class AddressRefusedError extends MConnError {
  /** A routine failure: built without a stack trace (see `MConnError.routine`). */
  static override readonly routine: boolean = true;
  declare readonly reason: `address-${AddressRefusal}`;
  constructor(
    readonly refusal: AddressRefusal,
    readonly address: string,
    detail: string,
  ) {
    super(`address-${refusal}`, `address ${address} refused: ${detail}`);
  }
}

/** An `addrbook.json` that could not be read, parsed, or that holds values out of bounds. The book starts empty. */
export class AddressBookFileError extends MConnError {
  declare readonly reason: "addrbook-file";
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super("addrbook-file", `address book ${file}: ${problem}`, options);
  }
}

/** A peer sent `PexAddrs` when we had not asked it. */
export class UnsolicitedAddrsError extends ProtocolError {
  declare readonly reason: "pex-unsolicited";
  constructor(peer: PeerRef) {
    super("pex-unsolicited", `peer ${peer.id} sent addresses we did not ask for`);
    namePeer(this, peer);
  }
}

/** A peer sent a `PexRequest` sooner than the minimum interval after its previous one. */
export class PexRequestTooSoonError extends ProtocolError {
  declare readonly reason: "pex-request-too-soon";
  constructor(
    peer: PeerRef,
    readonly sinceLast: number,
    readonly minInterval: number,
  ) {
    super("pex-request-too-soon", `peer ${peer.id} asked for addresses again after ${sinceLast} ms (at least ${minInterval} ms apart)`);
    namePeer(this, peer);
  }
}

/** A peer sent a `PexAddrs` with more addresses than a selection may hold, or one that does not parse. */
export class BadPexAddrsError extends ProtocolError {
  declare readonly reason: "pex-bad-addrs";
  constructor(peer: PeerRef, problem: string) {
    super("pex-bad-addrs", `peer ${peer.id} sent bad addresses: ${problem}`);
    namePeer(this, peer);
  }
}

/** A PEX message with no content (neither request nor addresses). */
export class EmptyPexMessageError extends ProtocolError {
  declare readonly reason: "pex-empty-message";
  constructor(peer: PeerRef) {
    super("pex-empty-message", `peer ${peer.id} sent a PEX message with neither a request nor addresses`);
    namePeer(this, peer);
  }
}
