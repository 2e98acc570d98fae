/**
 * What a discovery service needs from the Switch that runs it, and what the Switch needs from
 * the service. The Switch knows reactors, not PEX: a service (such as `rx-mconn/pex`'s `Pex`)
 * is built by the user and handed over as the `discovery` option; the Switch registers its
 * reactor, starts it once listening and stops it on `stop()`.
 * @module
 */
import type { MConnError } from "../error-base.js";
import type { NetAddress } from "./netaddress.js";
import type { Peer } from "./peer.js";
import type { Reactor } from "./reactor.js";

/** The Switch as a discovery service sees it (`P`: its peers; tests may give stand-ins). */
export interface DiscoveryHost<P = Peer> {
  /** Our node ID. */
  readonly nodeId: string;
  /** `ID@host:port` to dial us at, when listening (never added to an address book). */
  readonly address: string | undefined;
  /** The connected peers by ID. */
  readonly peers: ReadonlyMap<string, P>;
  /** The Switch's `maxOutboundPeers`: how many outbound peers discovery aims at. */
  readonly maxOutboundPeers: number;
  /** The Switch's persistent peers (which it dials and redials itself): an address book starts with them. */
  readonly persistentPeers: readonly NetAddress[];
  /** Dials `address` and adds the peer; rejects when the dial fails or the peer is refused. */
  dial(address: NetAddress): Promise<P>;
  /** Ends `peer` with `error`. */
  stopPeerForError(peer: P, error: MConnError): void;
  /** Ends `peer` after flushing what is queued. */
  stopPeerGracefully(peer: P): Promise<void>;
}

/** A discovery service, handed to a Switch as its `discovery` option. */
export interface Discovery {
  /** The name its reactor is registered under (e.g. `"pex"`). */
  readonly name: string;
  /** Its reactor, registered by the Switch's constructor with the others. */
  readonly reactor: Reactor;
  /** Called by `Switch.start()` once listening: start finding peers through `host`. */
  start(host: DiscoveryHost): void;
  /** Called by `Switch.stop()`, before the peers are closed. */
  stop(): void;
}

/** A Switch as its discovery service sees it: live views of its address and peers, `maxOutboundPeers` and the persistent peers. */
export function discoveryHostOf(sw: Omit<DiscoveryHost, "maxOutboundPeers" | "persistentPeers">, maxOutboundPeers: number, persistentPeers: readonly NetAddress[]): DiscoveryHost {
  return {
    nodeId: sw.nodeId,
    get address() {
      return sw.address;
    },
    get peers() {
      return sw.peers;
    },
    maxOutboundPeers,
    persistentPeers,
    dial: (address) => sw.dial(address),
    stopPeerForError: (peer, error) => sw.stopPeerForError(peer, error),
    stopPeerGracefully: (peer) => sw.stopPeerGracefully(peer),
  };
}
