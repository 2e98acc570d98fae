/**
 * Switch configuration: {@link switchDefaults} with CometBFT's values, and
 * {@link verifySwitchOptions}, which checks every option at once and names every rule broken.
 * @module
 */
import type { SchedulerLike } from "rxjs";
import { ConfigError } from "../error-base.js";
import { verifyConfig, type MConnectionConfig } from "../mconn/config.js";
import { DEFAULT_MAX_RECEIVE_BUFFER } from "../mconn/memory-budget.js";
import { silentLogger, type Logger } from "../logger.js";
import { backoffDefaults, type BackoffOptions } from "./backoff.js";
import type { Discovery } from "./discovery.js";
import { verifyHostLimits, type HostLimits } from "./admission/host-admission.js";
import { isNodeId, parseHostPort, parseNetAddress, type NetAddress } from "./netaddress.js";
import type { NodeInfo } from "./node-info.js";
import { buildNodeInfo, ownNodeInfoRules } from "./own-node-info.js";
import type { Authenticate } from "./upgrade.js";
import type { TransportFactory } from "./transport-interface.js";

/** Options of a `Switch`. Durations in ms. */
export interface SwitchOptions {
  /** Our node ID (from our node key). */
  readonly nodeId: string;
  /** The secret handshake for our node key (see `secretAuthenticator`). */
  readonly authenticate: Authenticate;
  /** The network (chain id) we belong to; peers must be on it. */
  readonly network: string;
  /** Our name in NodeInfo: printable ASCII, not blank. Default `rx-mconn-` and our ID's first 8 characters. */
  readonly moniker?: string;
  /** Our software version in NodeInfo: printable ASCII. Default `rx-mconn`. */
  readonly version?: string;
  /** `host:port` to listen on (`127.0.0.1:0` picks a free port); absent: dial only. */
  readonly listen?: string;
  /** The `host:port` we advertise in NodeInfo; default: the bound listen address. */
  readonly externalAddress?: string;
  /** `ID@host:port` addresses dialed at start and redialed after every failure. */
  readonly persistentPeers?: readonly string[];
  /** Most inbound peers (CometBFT: 40). */
  readonly maxInboundPeers?: number;
  /** Most outbound peers (CometBFT: 10). Persistent peers are dialed regardless, and count in it. */
  readonly maxOutboundPeers?: number;
  /** Refuses sockets by remote address before the handshake. A throw refuses too (`FilterError`). */
  readonly filterAddress?: (host: string, port: number) => boolean;
  /** Refuses peers by ID and NodeInfo after the handshake. A throw refuses too (`FilterError`). */
  readonly filterPeer?: (id: string, info: NodeInfo) => boolean;
  /**
   * Bytes every peer together may make us hold in messages being reassembled and messages
   * queued to send (default 256 MiB); a peer whose message in progress would take more than its
   * share (this divided among the peers holding something) ends with a `MemoryBudgetError`, and
   * a send past the share is refused (a drop). Each channel's `recvMessageCapacity` and
   * `sendQueueCapacity` still apply.
   */
  readonly maxReceiveBuffer?: number;
  /** Each peer's MConnection settings (checked by `verifyConfig`). */
  readonly mconnection?: Partial<MConnectionConfig>;
  /** Bound on the secret handshake (CometBFT: 3 s), whatever the authenticator's own. */
  readonly secretHandshakeTimeout?: number;
  /** Bound on the NodeInfo exchange that follows it (CometBFT: 3 s). */
  readonly handshakeTimeout?: number;
  /** Bound on a TCP dial (CometBFT: 1 s). */
  readonly dialTimeout?: number;
  /** Most inbound handshakes in progress at once (default 64). */
  readonly maxPendingHandshakes?: number;
  /**
   * More than one inbound connection per remote IP (CometBFT's `allow_duplicate_ip`; default
   * false). Set it to run several nodes on one address, e.g. 127.0.0.1 in tests and demos.
   */
  readonly allowDuplicateIp?: boolean;
  /** Most inbound handshakes in progress per remote IP (default 4). */
  readonly maxHandshakesPerIp?: number;
  /** New inbound connections per second one remote IP may open, sustained (default 1; 0: unlimited). */
  readonly newConnectionsPerIpPerSecond?: number;
  /** New inbound connections one remote IP may open in a burst (default 5). */
  readonly newConnectionsPerIpBurst?: number;
  /** At most one `info` line summarising refused connections per this many ms (default 5000); each refusal is at `debug`. */
  readonly refusalSummaryInterval?: number;
  /** Reconnection schedule for persistent peers (CometBFT's by default). */
  readonly backoff?: BackoffOptions;
  /**
   * A persistent peer's connection that ends sooner than this counts as a failed attempt: the
   * backoff keeps growing, and is reset only by a connection that lived this long (default 10 s).
   */
  readonly minConnectionLifetime?: number;
  /** Random numbers in [0, 1) for the backoff jitter. */
  readonly random?: () => number;
  /** Timers of the switch and its connections. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where peer events, refusals, redials and guarded throws are logged (pino-compatible); silent by default. */
  readonly logger?: Logger;
  /**
   * A discovery service the Switch runs: its reactor is registered with the others, it is
   * started once the Switch listens and stopped with it. `new Pex(…)` from `rx-mconn/pex` is
   * CometBFT's (the PEX reactor, an address book, ensurePeers or a seed's crawl).
   */
  readonly discovery?: Discovery;
  /**
   * @internal Builds the transport from the options the Switch derives (authentication,
   * NodeInfo, timeouts, limits); default a `TcpTransport`. The seam `rx-mconn/testing`'s
   * `simulateNetwork` runs Switches over simulated links through (see `Transport`).
   */
  readonly transport?: TransportFactory;
  /**
   * @internal Where each peer's MConnection runs its first flush of a turn and its later ones
   * (its `flushScheduler` and `yieldScheduler`; default a microtask and `setImmediate`). A
   * simulation in virtual time gives its own scheduler for both.
   */
  readonly flushSchedulers?: { readonly flush: SchedulerLike; readonly yield: SchedulerLike };
}

/** The defaults of every optional number of {@link SwitchOptions}, with CometBFT's values. */
export const switchDefaults = Object.freeze({
  maxInboundPeers: 40, // [p2p] max_num_inbound_peers
  maxOutboundPeers: 10, // [p2p] max_num_outbound_peers
  secretHandshakeTimeout: 3000, // [p2p] handshake_timeout
  handshakeTimeout: 3000, // [p2p] handshake_timeout (the NodeInfo exchange)
  dialTimeout: 1000, // [p2p] dial_timeout
  maxPendingHandshakes: 64, // no CometBFT equivalent: inbound handshakes in progress
  minConnectionLifetime: 10_000, // no CometBFT equivalent: a shorter connection counts as a failed dial
  refusalSummaryInterval: 5000, // no CometBFT equivalent: one info line about refusals per interval
  maxReceiveBuffer: DEFAULT_MAX_RECEIVE_BUFFER, // no CometBFT equivalent: the process's budget for reassembly and send queues
  backoff: backoffDefaults,
});

/** {@link SwitchOptions} checked, with every default filled in and the addresses parsed. */
export interface ResolvedSwitchOptions extends SwitchOptions {
  readonly maxInboundPeers: number;
  readonly maxOutboundPeers: number;
  readonly secretHandshakeTimeout: number;
  readonly handshakeTimeout: number;
  readonly dialTimeout: number;
  readonly maxPendingHandshakes: number;
  readonly minConnectionLifetime: number;
  readonly refusalSummaryInterval: number;
  readonly maxReceiveBuffer: number;
  readonly backoff: BackoffOptions;
  /** The per-host limits at accept (see `verifyHostLimits`). */
  readonly hostLimits: HostLimits;
  readonly random: () => number;
  readonly logger: Logger;
  readonly moniker: string;
  readonly version: string;
  readonly mconnection: MConnectionConfig;
  readonly listenAt: { readonly host: string; readonly port: number } | undefined;
  readonly persistent: readonly NetAddress[];
}

type Rules = string[];

function count(errors: Rules, name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) errors.push(`${name} must be an integer of at least ${min}, got ${value}.`);
}

function duration(errors: Rules, name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) errors.push(`${name} must be a positive number of milliseconds, got ${value}.`);
}

function parsed<T>(errors: Rules, name: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}.`);
    return undefined;
  }
}

function verifyBackoff(errors: Rules, b: BackoffOptions): void {
  count(errors, "backoff.steadyAttempts", b.steadyAttempts, 0);
  count(errors, "backoff.backoffAttempts", b.backoffAttempts, 0);
  if (b.steadyAttempts + b.backoffAttempts < 1) errors.push("backoff must allow at least one attempt.");
  if (!(b.steadyInterval >= 0) || !Number.isFinite(b.steadyInterval)) errors.push(`backoff.steadyInterval must be a non-negative number of milliseconds, got ${b.steadyInterval}.`);
  if (!(b.backoffBaseSeconds > 0) || !Number.isFinite(b.backoffBaseSeconds)) errors.push(`backoff.backoffBaseSeconds must be a positive number, got ${b.backoffBaseSeconds}.`);
  if (!(b.jitter >= 0) || !Number.isFinite(b.jitter)) errors.push(`backoff.jitter must be a non-negative number of milliseconds, got ${b.jitter}.`);
}

/**
 * Fills in {@link switchDefaults} and checks every option: the node ID, network, addresses
 * (listen, external — with a port —, persistent peers), limits, timeouts, the backoff, and the
 * MConnection settings (through `verifyConfig`).
 * @throws {ConfigError} naming every rule broken, one sentence each.
 */
export function verifySwitchOptions(options: SwitchOptions): ResolvedSwitchOptions {
  const errors: Rules = [];
  const o = { ...switchDefaults, ...withoutUndefined(options) };
  if (typeof o.nodeId !== "string" || !isNodeId(o.nodeId)) errors.push(`nodeId must be 40 hex characters, got ${JSON.stringify(o.nodeId)}.`);
  if (typeof o.authenticate !== "function") errors.push("authenticate must be a function (e.g. secretAuthenticator(nodeKey)).");
  if (typeof o.network !== "string" || o.network === "") errors.push("network must be a non-empty string.");
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- checked in the condition just before
  const listenAt = o.listen === undefined ? undefined : parsed(errors, "listen", () => parseHostPort(o.listen!));
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- checked in the condition just before
  if (o.externalAddress !== undefined) parsed(errors, "externalAddress", () => parseHostPort(o.externalAddress!.replace(/^[a-z]+:\/\//, "")));
  const persistent = (o.persistentPeers ?? []).flatMap((p, i) => parsed(errors, `persistentPeers[${i}]`, () => parseNetAddress(p)) ?? []);
  count(errors, "maxInboundPeers", o.maxInboundPeers, 0);
  count(errors, "maxOutboundPeers", o.maxOutboundPeers, 0);
  count(errors, "maxPendingHandshakes", o.maxPendingHandshakes, 1);
  duration(errors, "secretHandshakeTimeout", o.secretHandshakeTimeout);
  duration(errors, "handshakeTimeout", o.handshakeTimeout);
  duration(errors, "dialTimeout", o.dialTimeout);
  if (!(o.minConnectionLifetime >= 0) || !Number.isFinite(o.minConnectionLifetime))
    errors.push(`minConnectionLifetime must be a non-negative number of milliseconds, got ${o.minConnectionLifetime}.`);
  duration(errors, "refusalSummaryInterval", o.refusalSummaryInterval);
  count(errors, "maxReceiveBuffer", o.maxReceiveBuffer, 1);
  verifyBackoff(errors, o.backoff);
  const hostLimits = parsed(errors, "host limits", () =>
    verifyHostLimits({
      ...(o.allowDuplicateIp === undefined ? {} : { allowDuplicateIp: o.allowDuplicateIp }),
      ...(o.maxHandshakesPerIp === undefined ? {} : { maxHandshakesPerIp: o.maxHandshakesPerIp }),
      ...(o.newConnectionsPerIpPerSecond === undefined ? {} : { newConnectionsPerIpPerSecond: o.newConnectionsPerIpPerSecond }),
      ...(o.newConnectionsPerIpBurst === undefined ? {} : { newConnectionsPerIpBurst: o.newConnectionsPerIpBurst }),
    }),
  );
  for (const name of ["filterAddress", "filterPeer", "random", "transport"] as const)
    if (o[name] !== undefined && typeof o[name] !== "function") errors.push(`${name} must be a function.`);
  const mconnection = parsed(errors, "mconnection", () => verifyConfig(o.mconnection));
  if (o.discovery !== undefined && !isDiscovery(o.discovery))
    errors.push("discovery must be an object with a name, a reactor, start() and stop() (e.g. new Pex() from rx-mconn/pex).");
  const moniker = o.moniker ?? `rx-mconn-${o.nodeId.slice(0, 8)}`;
  const version = o.version ?? "rx-mconn";
  // Our NodeInfo as far as it is known before the reactors and the bound port: its channels
  // and size are checked again at start().
  const provisional = buildNodeInfo({ nodeId: o.nodeId, network: o.network, moniker, version }, [], o.externalAddress ?? o.listen ?? "0.0.0.0:0");
  errors.push(...ownNodeInfoRules(provisional).filter((r) => /rule (moniker|version|rpc-address|too-large)/.test(r)));
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return {
    ...o,
    moniker,
    version,
    random: o.random ?? Math.random,
    logger: o.logger ?? silentLogger,
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- errors is empty here, so parsing succeeded
    mconnection: mconnection!,
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- errors is empty here, so parsing succeeded
    hostLimits: hostLimits!,
    listenAt,
    persistent,
  };
}

function isDiscovery(d: unknown): boolean {
  if (typeof d !== "object" || d === null) return false;
  const o = d as Record<string, unknown>;
  return typeof o["name"] === "string" && typeof o["reactor"] === "object" && o["reactor"] !== null && typeof o["start"] === "function" && typeof o["stop"] === "function";
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
