/**
 * TCP listen and dial, each connection authenticated and checked (see {@link upgrade}) before
 * it is handed on. Concurrent handshakes are bounded per remote host (see {@link HostAdmission})
 * and in all (see {@link HandshakeSlots}); a refused or failed one closes only its socket.
 * @module
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { asyncScheduler, Subject, type Observable } from "rxjs";
import { socketDuplex } from "../duplex/socket-duplex.js";
import { MConnError, namePeer } from "../error-base.js";
import { DialError, PeerRejectedError } from "./errors.js";
import { HandshakeSlots } from "./handshake-slots.js";
import { HostAdmission, hostLimitsDefaults, type HostLimits } from "./host-admission.js";
import { formatNetAddress, type NetAddress } from "./netaddress.js";
import { upgrade, type UpgradeOptions, type UpgradedConnection } from "./upgrade.js";
import type { Transport } from "./transport-interface.js";

/** A checked connection and where it came from. */
export interface TransportConnection extends UpgradedConnection {
  /** Remote `host:port` of the socket. */
  readonly socketAddr: string;
}

/** A connection attempt that failed (inbound), for logs and metrics. */
export interface InboundFailure {
  readonly socketAddr: string;
  readonly error: unknown;
}

/** Options of {@link TcpTransport}. */
export interface TransportOptions extends Omit<UpgradeOptions, "expectedId"> {
  /** Bound on a TCP dial in ms (CometBFT: 1 s). */
  readonly dialTimeout: number;
  /**
   * Most inbound handshakes in progress at once on the listener; a further socket takes the slot
   * of the oldest silent handshake, else of the oldest (see {@link HandshakeSlots}).
   */
  readonly maxPendingHandshakes: number;
  /**
   * A filter on the remote socket address; `false` closes the connection before the handshake
   * (refused with `PeerRejectedError` `filter`), and so does an error, which is the refusal's.
   */
  readonly filterAddress?: (host: string, port: number) => boolean | MConnError;
  /** Limits per remote IP on inbound connections (default {@link hostLimitsDefaults}). */
  readonly hostLimits?: HostLimits;
}

/** TCP transport: `listen()` feeds `inbound$`; `dial()` resolves with a checked connection. */
export class TcpTransport implements Transport {
  private server: Server | undefined;
  private readonly inbound = new Subject<TransportConnection>();
  private readonly failures = new Subject<InboundFailure>();
  private readonly sockets = new Set<Socket>();
  private readonly slots: HandshakeSlots;
  private readonly hosts: HostAdmission;

  /** Checked inbound connections. */
  readonly inbound$: Observable<TransportConnection> = this.inbound.asObservable();
  /** Inbound connections that failed their handshake or a filter. */
  readonly failures$: Observable<InboundFailure> = this.failures.asObservable();

  constructor(private readonly options: TransportOptions) {
    this.slots = new HandshakeSlots(options.maxPendingHandshakes);
    this.hosts = new HostAdmission(options.hostLimits ?? hostLimitsDefaults, options.scheduler ?? asyncScheduler);
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", () => undefined);
    const addr = server.address() as { address: string; port: number };
    return { host: addr.address, port: addr.port };
  }

  /**
   * Dials `addr`, authenticates (the key must belong to `addr.id`) and exchanges NodeInfo.
   * @throws {DialError} when the TCP connection fails or times out; otherwise the handshake's
   * error. Either names the peer dialed (`error.peer`).
   */
  async dial(addr: NetAddress): Promise<TransportConnection> {
    try {
      return await this.dialAndUpgrade(addr);
    } catch (err) {
      throw err instanceof MConnError ? namePeer(err, { id: addr.id, address: formatNetAddress({ ...addr, id: "" }) }) : err;
    }
  }

  private async dialAndUpgrade(addr: NetAddress): Promise<TransportConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: addr.host, port: addr.port, noDelay: true, allowHalfOpen: true });
      const timer = (this.options.scheduler ?? asyncScheduler).schedule(() => {
        s.destroy();
        reject(new DialError(`dialing ${formatNetAddress(addr)} timed out after ${this.options.dialTimeout} ms`));
      }, this.options.dialTimeout);
      s.once("connect", () => {
        timer.unsubscribe();
        resolve(s);
      });
      s.once("error", (err) => {
        timer.unsubscribe();
        reject(new DialError(`dialing ${formatNetAddress(addr)} failed: ${err.message}`, { cause: err }));
      });
    });
    return this.upgradeSocket(socket, addr.id);
  }

  /** Stops listening and closes every socket this transport opened or accepted. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.inbound.complete();
    this.failures.complete();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Admits a socket or closes it at once: the remote host's limits, then `filterAddress`, all
   * before any cryptography; then a handshake slot ({@link HandshakeSlots}: when all are taken,
   * the oldest silent handshake, else the oldest, gives up its slot). An admitted socket counts
   * for its host until it closes, and holds its slot until its upgrade ends.
   */
  private accept(socket: Socket): void {
    const ip = hostOf(socket.remoteAddress);
    socket.on("error", () => undefined);
    if (ip === undefined) return void socket.destroy(); // already gone
    const admitted = this.hosts.admit(ip);
    // A refusal costs what the platform's accept costs: a reset, no FIN and TIME_WAIT of ours.
    if ("refused" in admitted) {
      this.refuse(socket, new PeerRejectedError(admitted.refused, admitted.message));
      return;
    }
    const { ticket } = admitted;
    socket.once("close", ticket.release);
    const socketAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    const verdict = this.options.filterAddress?.(socket.remoteAddress ?? "", socket.remotePort ?? 0) ?? true;
    if (verdict !== true) {
      this.refuse(socket, verdict === false ? new PeerRejectedError("filter", `address ${socketAddr} refused by the filter`) : verdict);
      return;
    }
    let evicted = false;
    const freeSlot = this.slots.take({
      silent: () => socket.bytesRead === 0,
      evict: () => {
        evicted = true;
        this.refuse(socket, new PeerRejectedError("max-handshakes", `every handshake slot was taken (${this.slots.max}): the oldest ${socket.bytesRead === 0 ? "silent " : ""}handshake gave its slot to a newer connection`));
      },
    });
    this.upgradeSocket(socket, undefined).then(
      (conn) => {
        freeSlot();
        ticket.handshakeDone();
        this.inbound.next(conn);
      },
      (error: unknown) => {
        freeSlot();
        ticket.handshakeDone();
        if (!evicted) this.failures.next({ socketAddr, error });
      },
    );
  }

  private refuse(socket: Socket, error: MConnError): void {
    const socketAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.resetAndDestroy();
    this.failures.next({ socketAddr, error });
  }

  private async upgradeSocket(socket: Socket, expectedId: string | undefined): Promise<TransportConnection> {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    const socketAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    const conn = await upgrade(socketDuplex(socket), { ...this.options, ...(expectedId === undefined ? {} : { expectedId }) });
    return { ...conn, socketAddr };
  }
}

/** The IP of a remote address, IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) as plain IPv4. */
function hostOf(remoteAddress: string | undefined): string | undefined {
  if (remoteAddress === undefined) return undefined;
  return remoteAddress.startsWith("::ffff:") && remoteAddress.includes(".") ? remoteAddress.slice(7) : remoteAddress;
}
