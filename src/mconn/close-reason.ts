import type { MConnError } from "../error-base.js";

/**
 * Why a connection ended; every connection ends exactly once, with one of these.
 * - `closed`: we called `close()` (queued messages were flushed, within `closeTimeout`);
 * - `remote-closed`: the peer closed the connection cleanly between messages;
 * - `error`: a protocol violation, a timeout or a transport failure, in `error`.
 */
export type CloseReason =
  | { readonly kind: "closed" }
  | { readonly kind: "remote-closed" }
  | { readonly kind: "error"; readonly error: MConnError };
