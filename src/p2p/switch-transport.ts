/**
 * The Switch's side of its transport: the options it gives the transport (built from its own,
 * the user's authentication and address filter guarded), and what it does with the transport's
 * output — each inbound connection goes to admission, and a refused or failed one is reported.
 * @module
 */
import type { Observable, SchedulerLike } from "rxjs";
import type { MConnError } from "../error-base.js";
import type { NodeInfo } from "./node-info.js";
import type { ResolvedSwitchOptions } from "./switch-options.js";
import type { InboundFailure, TransportConnection, TransportOptions } from "./transport.js";
import { guardAuthenticate, guardFilterAddress } from "./user-hooks.js";

/**
 * The transport's options from the Switch's: `ourInfo` is read at each handshake (the listen
 * address is known only once bound); a filter that throws is reported with `report`.
 */
export function transportOptions(o: ResolvedSwitchOptions, scheduler: SchedulerLike, ourInfo: () => NodeInfo, report: (error: MConnError) => void): TransportOptions {
  return {
    authenticate: guardAuthenticate(o.authenticate, o.secretHandshakeTimeout, scheduler),
    get ourInfo() {
      return ourInfo();
    },
    handshakeTimeout: o.handshakeTimeout,
    dialTimeout: o.dialTimeout,
    maxPendingHandshakes: o.maxPendingHandshakes,
    hostLimits: o.hostLimits,
    ...(o.filterAddress === undefined ? {} : { filterAddress: guardFilterAddress(o.filterAddress, report) }),
    scheduler,
  };
}

/** What the Switch reads of a transport. */
export interface InboundSource {
  /** Checked inbound connections. */
  readonly inbound$: Observable<TransportConnection>;
  /** Inbound connections that failed before they were checked. */
  readonly failures$: Observable<InboundFailure>;
}

/**
 * Hands each inbound connection to `admit`; one that `admit` throws for (refused), like one the
 * transport failed, goes to `refused` with its error.
 */
export function acceptInbound(transport: InboundSource, admit: (conn: TransportConnection) => void, refused: (failure: InboundFailure) => void): void {
  transport.failures$.subscribe(refused);
  transport.inbound$.subscribe((conn) => {
    try {
      admit(conn);
    } catch (error) {
      refused({ socketAddr: conn.socketAddr, error });
    }
  });
}
