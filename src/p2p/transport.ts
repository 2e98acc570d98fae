/**
 * TCP listen and dial, each connection authenticated and checked (see {@link upgrade}) before
 * it is handed on. An inbound socket is first admitted at accept (see {@link AcceptGate}: per
 * remote host, the address filter, a handshake slot); a refused or failed one closes only its
 * socket.
 * @module
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { asyncScheduler, Subject, type Observable } from "rxjs";
import { socketDuplex } from "../duplex/socket-duplex.js";
import { MConnError, namePeer } from "../error-base.js";
import { AcceptGate, socketArrival, type AcceptOptions } from "./admission/accept-gate.js";
import { DialError } from "./errors.js";
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

/** Options of {@link TcpTransport}: the handshake's, the dial's bound, and the checks at accept. */
export interface TransportOptions extends Omit<UpgradeOptions, "expectedId">, AcceptOptions {
  /** Bound on a TCP dial in ms (CometBFT: 1 s). */
  readonly dialTimeout: number;
}

/** TCP transport: `listen()` feeds `inbound$`; `dial()` resolves with a checked connection. */
export class TcpTransport implements Transport {
  private server: Server | undefined;
  private readonly inbound = new Subject<TransportConnection>();
  private readonly failures = new Subject<InboundFailure>();
  private readonly sockets = new Set<Socket>();
  private readonly gate: AcceptGate;

  /** Checked inbound connections. */
  readonly inbound$: Observable<TransportConnection> = this.inbound.asObservable();
  /** Inbound connections that failed their handshake or a filter. */
  readonly failures$: Observable<InboundFailure> = this.failures.asObservable();

  constructor(private readonly options: TransportOptions) {
    this.gate = new AcceptGate(options);
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
   * Admits a socket at the gate ({@link AcceptGate}) or resets it at once, then upgrades it; an
   * admitted socket holds its handshake slot until its upgrade ends.
   */
  private accept(socket: Socket): void {
    socket.on("error", () => undefined);
    // A refusal costs what the platform's accept costs: a reset, no FIN and TIME_WAIT of ours.
    const arrival = socketArrival(socket);
    if (arrival === undefined) return void socket.destroy(); // already gone
    const pass = this.gate.admit(arrival, (error) => this.refuse(socket, error));
    if (pass === undefined) return;
    const socketAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.upgradeSocket(socket, undefined).then(
      (conn) => {
        pass.handshakeDone(true);
        this.inbound.next(conn);
      },
      (error: unknown) => {
        pass.handshakeDone();
        if (!pass.evicted) this.failures.next({ socketAddr, error });
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
