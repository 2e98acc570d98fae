/**
 * Whether a checked connection may become a peer: a pure decision over the current peers, the
 * switch's limits and filter, and the new connection. No sockets, no state: the switch acts on
 * the answer.
 * @module
 */
import { FilterError, PeerRejectedError } from "../errors.js";
import type { NodeInfo } from "../node-info.js";

/** What admission needs to know of a current peer. */
export interface AdmittedPeer {
  readonly id: string;
  readonly isOutbound: boolean;
}

/** The rules admission applies. */
export interface AdmissionRules {
  /** False once the switch is stopping: everything is refused. */
  readonly running: boolean;
  readonly maxInboundPeers: number;
  readonly maxOutboundPeers: number;
  /** IDs of persistent peers: never refused by the peer limits, though counted in them (as CometBFT counts them). */
  readonly persistent: ReadonlySet<string>;
  /** The user's filter; `false` or a throw refuses. */
  readonly filterPeer?: (id: string, info: NodeInfo) => boolean;
}

/** A connection asking to become a peer. */
export interface Candidate {
  readonly remoteId: string;
  readonly nodeInfo: NodeInfo;
  readonly outbound: boolean;
  /** `host:port` of the socket. */
  readonly socketAddr: string;
}

/** The answer: accepted (and whether the peer is persistent), or refused with a typed error. */
export type Admission = { readonly accepted: true; readonly persistent: boolean } | { readonly accepted: false; readonly error: PeerRejectedError | FilterError };

/**
 * Decides on `candidate` given the current `peers` and `rules`: refused when the switch is
 * stopping, when the ID is already a peer, when the inbound or outbound limit is reached (a
 * persistent peer is never refused by a limit, but every connected peer counts in it, persistent
 * ones included: ten persistent outbound peers leave no room for another outbound dial), or when `filterPeer` says no or throws (`FilterError`, with the cause).
 * Rules are checked in that order; the filter runs last, only for a connection every other rule
 * admits.
 */
export function admission(peers: Iterable<AdmittedPeer>, rules: AdmissionRules, candidate: Candidate): Admission {
  const refuse = (error: PeerRejectedError | FilterError): Admission => ({ accepted: false, error });
  const id = candidate.remoteId;
  if (!rules.running) return refuse(new PeerRejectedError("stopping", "the switch is stopping"));
  let inbound = 0;
  let outbound = 0;
  for (const p of peers) {
    if (p.id === id) return refuse(new PeerRejectedError("duplicate-id", `already connected to ${id}`));
    if (p.isOutbound) outbound++;
    else inbound++;
  }
  const persistent = rules.persistent.has(id);
  if (!persistent && !candidate.outbound && inbound >= rules.maxInboundPeers)
    return refuse(new PeerRejectedError("max-inbound", `already ${inbound} inbound peers`));
  if (!persistent && candidate.outbound && outbound >= rules.maxOutboundPeers)
    return refuse(new PeerRejectedError("max-outbound", `already ${outbound} outbound peers`));
  if (rules.filterPeer !== undefined) {
    let allowed: boolean;
    try {
      allowed = rules.filterPeer(id, candidate.nodeInfo);
    } catch (err) {
      return refuse(new FilterError("filterPeer", id, err, { id, address: candidate.socketAddr }));
    }
    if (!allowed) return refuse(new PeerRejectedError("filter", `peer ${id} refused by the filter`));
  }
  return { accepted: true, persistent };
}
