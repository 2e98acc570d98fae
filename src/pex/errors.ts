/**
 * Errors of discovery: addresses the book refuses, address book files that do not load, and
 * peers that break the PEX protocol.
 * @module
 */
import { MConnError, ProtocolError } from "../errors.js";

/** Why the book refused an address. */
export type AddressRefusal = "invalid" | "banned" | "private" | "private-source" | "self" | "non-routable" | "source-full";

/** An address the book did not take, and why. Not a fault of the peer by itself. */
export class AddressRefusedError extends MConnError {
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
  constructor(readonly peerId: string) {
    super("pex-unsolicited", `peer ${peerId} sent addresses we did not ask for`);
  }
}

/** A peer sent a `PexRequest` sooner than the minimum interval after its previous one. */
export class PexRequestTooSoonError extends ProtocolError {
  declare readonly reason: "pex-request-too-soon";
  constructor(
    readonly peerId: string,
    readonly sinceLast: number,
    readonly minInterval: number,
  ) {
    super("pex-request-too-soon", `peer ${peerId} asked for addresses again after ${sinceLast} ms (at least ${minInterval} ms apart)`);
  }
}

/** A peer sent a `PexAddrs` with more addresses than a selection may hold, or one that does not parse. */
export class BadPexAddrsError extends ProtocolError {
  declare readonly reason: "pex-bad-addrs";
  constructor(
    readonly peerId: string,
    problem: string,
  ) {
    super("pex-bad-addrs", `peer ${peerId} sent bad addresses: ${problem}`);
  }
}

/** A PEX message with no content (neither request nor addresses). */
export class EmptyPexMessageError extends ProtocolError {
  declare readonly reason: "pex-empty-message";
  constructor(readonly peerId: string) {
    super("pex-empty-message", `peer ${peerId} sent a PEX message with neither a request nor addresses`);
  }
}
