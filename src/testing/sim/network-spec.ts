/**
 * What a simulated network is made of: its nodes (seeds among them), the /16 groups they live
 * in, the link model, the Switch's and PEX's settings every node runs with, user reactors, and
 * the timed events (join, leave, crash, partition, heal); {@link verifyNetworkSpec} checks it.
 * @module
 */
import { ConfigError } from "../../error-base.js";
import type { Reactor } from "../../p2p/reactor.js";
import type { SwitchOptions } from "../../p2p/switch-options.js";
import type { PexOptions } from "../../pex/pex-options.js";
import { linkDefaults, type LinkModel } from "./sim-link.js";

/** One node of a simulated network. */
export interface SimNodeSpec {
  /** Runs in seed mode (crawls, answers each inbound peer once, then lets it go). */
  readonly seedMode?: boolean;
  /** The index of its /16 group (default: nodes are spread over the spec's `groups`, round robin). */
  readonly group?: number;
  /** Virtual ms at which it starts (default 0); `null`: only a `join` event starts it. */
  readonly joinAt?: number | null;
  /** Indexes of the nodes it dials as persistent peers. */
  readonly persistentPeers?: readonly number[];
  /** Indexes of the seeds it knows (default: every node in seed mode). */
  readonly seeds?: readonly number[];
}

/** A node, as a user's reactor factory is told of it. */
export interface SimNodeInfo {
  /** Its index among the spec's nodes. */
  readonly index: number;
  /** Its node ID. */
  readonly id: string;
  /** Its IPv4 address. */
  readonly ip: string;
}

/** Nodes starting again (`join`), stopping cleanly (`leave`) or crashing (`crash`): their hosts go silent. */
export interface NodesEvent {
  /** Virtual ms. */
  readonly at: number;
  readonly type: "join" | "leave" | "crash";
  /** Indexes of the nodes. */
  readonly nodes: readonly number[];
}

/**
 * The network splits: node `i` goes to side `i % sides` (default 2 sides), or to `sideOf(i)`;
 * data between sides waits (connections go silent until their keepalive ends them), and dials
 * across time out.
 */
export interface PartitionEvent {
  /** Virtual ms. */
  readonly at: number;
  readonly type: "partition";
  /** How many sides (default 2): node `i` goes to side `i % sides`. */
  readonly sides?: number;
  /** The side of node `index` (instead of `sides`). */
  readonly sideOf?: (index: number) => number;
}

/** The partition ends: what waited at the cut arrives, dials pass again. */
export interface HealEvent {
  /** Virtual ms. */
  readonly at: number;
  readonly type: "heal";
}

/** Something that happens to the network at a virtual time. */
export type SimEvent = NodesEvent | PartitionEvent | HealEvent;

/** The Switch's settings every node runs with (the rest is the simulation's: keys, addresses, transport, scheduler). */
export type SimSwitchOptions = Pick<
  SwitchOptions,
  | "maxInboundPeers"
  | "maxOutboundPeers"
  | "dialTimeout"
  | "handshakeTimeout"
  | "secretHandshakeTimeout"
  | "maxPendingHandshakes"
  | "allowDuplicateIp"
  | "maxHandshakesPerIp"
  | "newConnectionsPerIpPerSecond"
  | "newConnectionsPerIpBurst"
  | "mconnection"
  | "backoff"
  | "minConnectionLifetime"
  | "maxReceiveBuffer"
>;

/** PEX's settings every node runs with. */
export type SimPexOptions = Pick<PexOptions, "ensurePeersPeriod" | "ensurePeersRetryDelay" | "dialOnNewAddresses" | "crawlPeriod" | "seedDisconnectDelay" | "seedDisconnectWaitPeriod" | "maxAddressesPerSource" | "maxGroupShare" | "groupAllowance">;

/**
 * An attacker: many identities (each a node on its own address) in one /16 group, which know
 * each other, dial only each other, and tell honest nodes of each other only — they never store
 * nor pass on an honest address. They join through the seeds as any node does. The report's
 * samples then say how far they got (`NetworkSample.attack`).
 */
export interface AttackerSpec {
  /** How many identities. */
  readonly identities: number;
  /** Their /16 group (default: the one after every honest node's). */
  readonly group?: number;
  /** Virtual ms at which they start (default 0). */
  readonly joinAt?: number;
}

/** A simulated network and how long to run it (see {@link simulateNetwork}). */
export interface NetworkSpec {
  /** Picks every random choice of the run: the same spec and seed give the same run, event for event. */
  readonly seed: number;
  /** How many nodes (all alike), or each node described. */
  readonly nodes: number | readonly SimNodeSpec[];
  /** With `nodes` a number: the first `seeds` nodes run in seed mode, and every other node knows them (default 0). */
  readonly seeds?: number;
  /** /16 groups the nodes are spread over, round robin (default: one per node, at most 4096). */
  readonly groups?: number;
  /** The links' model (see {@link LinkModel}; defaults {@link linkDefaults}). */
  readonly link?: Partial<LinkModel>;
  /** Virtual ms to run. */
  readonly duration: number;
  /** Virtual ms between samples (default 10 000). */
  readonly sampleInterval?: number;
  /** What happens, when. */
  readonly events?: readonly SimEvent[];
  /** Every node's Switch settings. */
  readonly switch?: SimSwitchOptions;
  /** Every node's PEX settings. */
  readonly pex?: SimPexOptions;
  /** The user's reactors of a node, built anew each time the node starts (attackers have none). */
  readonly reactors?: (node: SimNodeInfo) => Readonly<Record<string, Reactor>>;
  /** An attacker with many identities, as nodes after the honest ones. */
  readonly attacker?: AttackerSpec;
}

/** A node as the simulation runs it. */
interface ResolvedNode extends Required<Omit<SimNodeSpec, "seeds">> {
  /** One of the attacker's identities. */
  readonly attacker: boolean;
}

/** A {@link NetworkSpec} checked, with every default filled in and the nodes listed. */
export interface ResolvedNetworkSpec {
  readonly seed: number;
  /** The honest nodes, then the attacker's identities. */
  readonly nodes: readonly ResolvedNode[];
  /** Per node, the seeds it knows. */
  readonly seedsOf: readonly (readonly number[])[];
  readonly link: LinkModel;
  readonly duration: number;
  readonly sampleInterval: number;
  readonly events: readonly SimEvent[];
  readonly switch: SimSwitchOptions;
  readonly pex: SimPexOptions;
  readonly reactors: NetworkSpec["reactors"];
}

const nonNegative = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x) && x >= 0;

/**
 * Fills in the defaults and checks every rule.
 * @throws {ConfigError} naming every rule broken, one sentence each.
 */
export function verifyNetworkSpec(spec: NetworkSpec): ResolvedNetworkSpec {
  const errors: string[] = [];
  if (!Number.isSafeInteger(spec.seed)) errors.push(`seed must be an integer, got ${spec.seed}.`);
  const list: readonly SimNodeSpec[] =
    typeof spec.nodes === "number"
      ? Array.from({ length: Number.isSafeInteger(spec.nodes) && spec.nodes > 0 ? spec.nodes : 0 }, (_, i) => ({ seedMode: i < (spec.seeds ?? 0) }))
      : spec.nodes;
  if (typeof spec.nodes === "number" && !(Number.isSafeInteger(spec.nodes) && spec.nodes > 0)) errors.push(`nodes must be a positive integer, got ${spec.nodes}.`);
  if (spec.seeds !== undefined && (typeof spec.nodes !== "number" || !Number.isSafeInteger(spec.seeds) || spec.seeds < 0 || spec.seeds > list.length))
    errors.push(`seeds must be an integer from 0 to nodes, with nodes a number (got ${spec.seeds}); with nodes listed, mark seeds with seedMode.`);
  const groups = spec.groups ?? Math.min(Math.max(list.length, 1), 4096);
  if (!Number.isSafeInteger(groups) || groups < 1 || groups > 89 * 256) errors.push(`groups must be an integer from 1 to ${89 * 256}, got ${groups}.`);
  const link: LinkModel = { ...linkDefaults, ...spec.link };
  for (const name of ["latency", "jitter"] as const) if (!nonNegative(link[name])) errors.push(`link.${name} must be a non-negative number of ms, got ${link[name]}.`);
  if (!(link.bandwidth > 0) || !Number.isFinite(link.bandwidth)) errors.push(`link.bandwidth must be a positive number of bytes per second, got ${link.bandwidth}.`);
  if (!(link.loss >= 0 && link.loss <= 1)) errors.push(`link.loss must be a share from 0 to 1, got ${link.loss}.`);
  if (!Number.isSafeInteger(link.maxConnections) || link.maxConnections < 1) errors.push(`link.maxConnections must be a positive integer, got ${link.maxConnections}.`);
  if (!(spec.duration > 0) || !Number.isFinite(spec.duration)) errors.push(`duration must be a positive number of virtual ms, got ${spec.duration}.`);
  const sampleInterval = spec.sampleInterval ?? 10_000;
  if (!(sampleInterval > 0) || !Number.isFinite(sampleInterval)) errors.push(`sampleInterval must be a positive number of virtual ms, got ${sampleInterval}.`);
  const n = list.length;
  const isIndex = (i: number) => Number.isSafeInteger(i) && i >= 0 && i < n;
  const seedIndexes = list.flatMap((s, i) => (s.seedMode === true ? [i] : []));
  const nodes: ResolvedNode[] = list.map((s, i) => {
    const group = s.group ?? i % (groups > 0 ? groups : 1);
    if (!Number.isSafeInteger(group) || group < 0 || group >= 89 * 256) errors.push(`nodes[${i}].group must be an integer from 0 to ${89 * 256 - 1}, got ${group}.`);
    const joinAt = s.joinAt === undefined ? 0 : s.joinAt;
    if (joinAt !== null && !nonNegative(joinAt)) errors.push(`nodes[${i}].joinAt must be a non-negative number of ms or null, got ${joinAt}.`);
    for (const p of [...(s.persistentPeers ?? []), ...(s.seeds ?? [])]) if (!isIndex(p) || p === i) errors.push(`nodes[${i}] names node ${p}, which is not another node.`);
    return { seedMode: s.seedMode ?? false, group, joinAt, persistentPeers: s.persistentPeers ?? [], attacker: false };
  });
  const seedsOf: (readonly number[])[] = list.map((s, i) => s.seeds ?? seedIndexes.filter((j) => j !== i));
  const a = spec.attacker;
  if (a !== undefined) {
    if (!Number.isSafeInteger(a.identities) || a.identities < 1 || a.identities > 254 * 256) errors.push(`attacker.identities must be an integer from 1 to ${254 * 256}, got ${a.identities}.`);
    const group = a.group ?? Math.max(-1, ...nodes.map((n) => n.group)) + 1;
    if (!Number.isSafeInteger(group) || group < 0 || group >= 89 * 256) errors.push(`attacker.group must be an integer from 0 to ${89 * 256 - 1}, got ${group}.`);
    const joinAt = a.joinAt ?? 0;
    if (!nonNegative(joinAt)) errors.push(`attacker.joinAt must be a non-negative number of ms, got ${joinAt}.`);
    for (let k = 0; k < (Number.isSafeInteger(a.identities) ? Math.min(a.identities, 254 * 256) : 0); k++) {
      nodes.push({ seedMode: false, group, joinAt, persistentPeers: [], attacker: true });
      seedsOf.push(seedIndexes);
    }
  }
  const events = [...(spec.events ?? [])];
  events.forEach((e, k) => {
    if (!nonNegative(e.at)) errors.push(`events[${k}].at must be a non-negative number of ms, got ${e.at}.`);
    if (e.type === "join" || e.type === "leave" || e.type === "crash") {
      for (const i of e.nodes) if (!isIndex(i)) errors.push(`events[${k}] names node ${i}, which does not exist.`);
    } else if (e.type === "partition") {
      if (e.sides !== undefined && (!Number.isSafeInteger(e.sides) || e.sides < 2)) errors.push(`events[${k}].sides must be an integer of at least 2, got ${e.sides}.`);
    } else if ((e as { type: unknown }).type !== "heal") errors.push(`events[${k}].type must be join, leave, crash, partition or heal, got ${String((e as { type: unknown }).type)}.`);
  });
  if (spec.reactors !== undefined && typeof spec.reactors !== "function") errors.push("reactors must be a function of the node.");
  if (errors.length > 0) throw new ConfigError(errors.join(" "));
  return { seed: spec.seed, nodes, seedsOf, link, duration: spec.duration, sampleInterval, events, switch: spec.switch ?? {}, pex: spec.pex ?? {}, reactors: spec.reactors };
}
