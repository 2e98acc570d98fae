/**
 * Errors of the wire layer: length prefixes and `Packet`s as they arrive.
 * @module
 */
import { ProtocolError } from "../error-base.js";

/** A length prefix announced a frame larger than allowed; rejected before any allocation. */
export class PacketTooLargeError extends ProtocolError {
  declare readonly reason: "packet-too-large";
  /** The announced length (as far as it was read), and the maximum allowed. */
  constructor(
    readonly announced: number,
    readonly max: number,
  ) {
    super("packet-too-large", `packet length ${announced} exceeds the maximum of ${max} bytes`);
  }
}

/** Bytes that do not decode as a valid `Packet` (bad varint, bad protobuf, no packet type set). */
export class MalformedPacketError extends ProtocolError {
  declare readonly reason: "malformed-packet";
  constructor(message: string) {
    super("malformed-packet", message);
  }
}

/** The peer closed the connection before a frame or message was complete. */
export class TruncatedError extends ProtocolError {
  /** A routine failure: built without a stack trace (see `MConnError.routine`). */
  static override readonly routine: boolean = true;
  declare readonly reason: "truncated";
  constructor(message: string) {
    super("truncated", message);
  }
}
