/**
 * What the Switch needs of a transport: listen, dial, the checked inbound connections and the
 * inbound failures, close. `TcpTransport` is the one a Switch builds by default; a
 * simulation (`rx-mconn/testing`'s `simulateNetwork`) hands it another through the Switch's
 * `transport` option, so that the Switch, admission and every reactor run unchanged over it.
 * @module
 */
import type { Observable } from "rxjs";
import type { NetAddress } from "./netaddress.js";
import type { InboundFailure, TransportConnection, TransportOptions } from "./transport.js";

/**
 * A transport as the Switch uses it. Each connection it yields has been authenticated with the
 * options' `authenticate` and has passed `upgrade`'s NodeInfo checks; what a transport admits at
 * accept (per-host limits, handshake slots, the address filter) is its own to enforce, with the
 * options' settings — `TcpTransport` enforces all three. The Switch then applies its own
 * admission (running, self, duplicates, peer limits, `filterPeer`) to every connection, whatever
 * the transport.
 */
export interface Transport {
  /** Checked inbound connections; completes on `close()`. */
  readonly inbound$: Observable<TransportConnection>;
  /** Inbound connections refused or failed before they were checked; completes on `close()`. */
  readonly failures$: Observable<InboundFailure>;
  /** Starts accepting at `host:port`; resolves with the address bound. */
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /**
   * Connects to `addr`, authenticates (the key must belong to `addr.id`) and exchanges NodeInfo.
   * Rejects with a `DialError` when no connection could be made, else with the handshake's error.
   */
  dial(addr: NetAddress): Promise<TransportConnection>;
  /** Stops accepting and closes every connection it made or accepted. */
  close(): Promise<void>;
}

/** Builds a Switch's transport from the options the Switch derives from its own. */
export type TransportFactory = (options: TransportOptions) => Transport;
