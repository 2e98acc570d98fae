/**
 * Errors of the transport layer.
 * @module
 */
import { MConnError } from "../error-base.js";

/** The underlying transport failed (socket error, reset). `cause` holds the original error. */
export class TransportError extends MConnError {
  declare readonly reason: "transport";
  constructor(message: string, options?: { cause?: unknown }) {
    super("transport", message, options);
  }
}
