/**
 * The Switch's {@link Transport} over a {@link SimNetwork}: one per node, on the node's host.
 *
 * What it keeps of `TcpTransport`: the dial timeout; at accept, the same gate ({@link AcceptGate}:
 * the per-host limits, one connection per IP unless `allowDuplicateIp`, handshakes per IP, new
 * connections per IP per second; the address filter; then a handshake slot, the oldest silent
 * handshake giving way); `upgrade` with the Switch's
 * authenticator and NodeInfo checks; dial errors named after the peer dialed. What it skips:
 * sockets, so no kernel backlog, no TIME_WAIT, and a refusal is a closed link rather than a reset.
 * @module
 */
import { Subject, type Observable } from "rxjs";
import { MConnError, namePeer } from "../../error-base.js";
import { PeerRejectedError } from "../../p2p/errors.js";
import { AcceptGate } from "../../p2p/admission/accept-gate.js";
import { formatNetAddress, type NetAddress } from "../../p2p/netaddress.js";
import type { InboundFailure, TransportConnection, TransportOptions } from "../../p2p/transport.js";
import type { Transport } from "../../p2p/transport-interface.js";
import { upgrade } from "../../p2p/upgrade.js";
import type { LinkEnd } from "./sim-link.js";
import type { SimHost, SimNetwork } from "./sim-network.js";

/** A node's transport in the simulated network (see the module doc). */
export class SimTransport implements Transport {
  private readonly inbound = new Subject<TransportConnection>();
  private readonly failures = new Subject<InboundFailure>();
  private readonly ends = new Set<LinkEnd>();
  private readonly gate: AcceptGate;
  private closed = false;
  private listener: SimHost["listener"];
  readonly inbound$: Observable<TransportConnection> = this.inbound.asObservable();
  readonly failures$: Observable<InboundFailure> = this.failures.asObservable();

  constructor(
    private readonly network: SimNetwork,
    private readonly host: SimHost,
    private readonly options: TransportOptions,
  ) {
    this.gate = new AcceptGate(options);
  }

  /** Listens on the host's own address at `port` (the host given is not used: a host has one address). */
  listen(_host: string, port: number): Promise<{ host: string; port: number }> {
    this.listener = { port, accept: (end, ip, remotePort) => this.accept(end, ip, remotePort) };
    this.host.listener = this.listener;
    return Promise.resolve({ host: this.host.ip, port });
  }

  /** Connects through the network, then authenticates and checks NodeInfo as `TcpTransport` does. */
  async dial(addr: NetAddress): Promise<TransportConnection> {
    const peer = { id: addr.id, address: formatNetAddress({ ...addr, id: "" }) };
    let end: LinkEnd;
    try {
      end = await this.network.connect(this.host, addr, this.options.dialTimeout);
    } catch (err) {
      throw err instanceof MConnError ? namePeer(err, peer) : err;
    }
    if (this.closed) {
      end.destroy();
      throw namePeer(new PeerRejectedError("stopping", "the transport closed while dialing"), peer);
    }
    this.track(end);
    try {
      const conn = await upgrade(end, { ...this.options, expectedId: addr.id });
      this.network.record(this.host, formatNetAddress(addr), "connected");
      return { ...conn, socketAddr: end.remote };
    } catch (err) {
      this.network.record(this.host, formatNetAddress(addr), "handshake-failed");
      throw err instanceof MConnError ? namePeer(err, peer) : err;
    }
  }

  /** Stops listening and closes every connection made or accepted here. */
  close(): Promise<void> {
    this.closed = true;
    if (this.host.listener === this.listener) this.host.listener = undefined;
    for (const end of [...this.ends]) end.destroy();
    this.inbound.complete();
    this.failures.complete();
    return Promise.resolve();
  }

  private track(end: LinkEnd): void {
    this.ends.add(end);
    end.whenClosed(() => this.ends.delete(end));
  }

  /** Per-host limits, the filter, a handshake slot, then `upgrade` (see the module doc). */
  private accept(end: LinkEnd, ip: string, port: number): void {
    const socketAddr = `${ip}:${port}`;
    if (this.closed) {
      end.destroy();
      return;
    }
    const arrival = {
      ip,
      host: ip,
      port,
      get bytesRead() {
        return end.bytesRead;
      },
      onClose: (release: () => void) => end.whenClosed(release),
    };
    const pass = this.gate.admit(arrival, (error) => this.refuse(end, socketAddr, error));
    if (pass === undefined) return;
    this.track(end);
    upgrade(end, this.options).then(
      (conn) => {
        pass.handshakeDone(true);
        if (this.closed) conn.duplex.destroy();
        else this.inbound.next({ ...conn, socketAddr });
      },
      (error: unknown) => {
        pass.handshakeDone();
        if (!pass.evicted && !this.closed) this.failures.next({ socketAddr, error });
      },
    );
  }

  private refuse(end: LinkEnd, socketAddr: string, error: MConnError): void {
    end.destroy();
    if (!this.closed) this.failures.next({ socketAddr, error });
  }
}
