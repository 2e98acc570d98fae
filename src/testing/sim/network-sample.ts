/**
 * What a simulation observes of its network at one instant — nodes up, connected components,
 * peers, outbound peers against the target, book sizes, connection attempts, messages per
 * channel — and the report a run ends with. Everything is plain JSON (numbers, strings, arrays,
 * records), rounded to fixed decimals, so a report prints as a table, charts as time series, and
 * compares byte for byte across runs.
 * @module
 */
import type { SimDialOutcome } from "./sim-network.js";
import type { LinkModel } from "./sim-link.js";

/** Least, mean (two decimals) and most of a quantity over the nodes that are up. */
export interface Spread {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** The network at one virtual instant. */
export interface NetworkSample {
  /** Virtual ms. */
  readonly at: number;
  /** Nodes running. */
  readonly up: number;
  /** Connected components of the graph of peers among the nodes running (an isolated node is one). */
  readonly components: number;
  /** Nodes in the largest component. */
  readonly largestComponent: number;
  /**
   * Components of the graph without the seeds: a seed's connections are brief (it answers and
   * lets go), so this counts what holds the network together between them.
   */
  readonly componentsWithoutSeeds: number;
  /** Peer connections (each counted once). */
  readonly connections: number;
  /** Peers per node (here and below: the honest nodes running). */
  readonly peers: Spread;
  /** Outbound peers per node (seeds excluded). */
  readonly outbound: Spread;
  /** Nodes (seeds excluded) with at least `maxOutboundPeers` outbound peers. */
  readonly atOutboundTarget: number;
  /** Nodes (seeds excluded) running with fewer. */
  readonly belowOutboundTarget: number;
  /** Addresses in each node's book. */
  readonly book: Spread;
  /** Connection attempts so far, by how they ended at the transport. */
  readonly dials: Readonly<Record<SimDialOutcome, number>>;
  /**
   * With an attacker: over the honest nodes running, the percent of attacker addresses in each
   * book and of attacker peers among each node's peers, and how many non-seed nodes have only
   * attacker outbound peers (eclipsed).
   */
  readonly attack?: { readonly bookShare: Spread; readonly peerShare: Spread; readonly eclipsed: number };
  /** Messages received so far, per channel id (decimal). */
  readonly messages: Readonly<Record<string, number>>;
}

/** One node at the end of a run. */
export interface NodeSummary {
  readonly index: number;
  readonly id: string;
  readonly ip: string;
  readonly seedMode: boolean;
  /** One of the attacker's identities. */
  readonly attacker: boolean;
  /** `running`, `left`, `crashed`, or `idle` (never started). */
  readonly state: "idle" | "running" | "left" | "crashed";
  readonly peers: number;
  readonly outbound: number;
  readonly inbound: number;
  readonly book: number;
  /** Virtual ms it last started at, or null. */
  readonly startedAt: number | null;
  /** Virtual ms from its last start until it first had its outbound target, or null (seeds: null). */
  readonly timeToTarget: number | null;
}

/** Percentiles of a list of virtual durations (ms); null when the list is empty. */
export interface Durations {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

/** What a run of {@link simulateNetwork} found. JSON: the same seed gives the same bytes. */
export interface SimulationReport {
  readonly seed: number;
  /** Honest nodes, seeds included. */
  readonly nodes: number;
  readonly seeds: number;
  /** The attacker's identities. */
  readonly attackers: number;
  /** Virtual ms run. */
  readonly duration: number;
  readonly link: LinkModel;
  /** Each node's outbound target (`maxOutboundPeers`). */
  readonly outboundTarget: number;
  /** The samples, every `sampleInterval` and at the end. */
  readonly samples: readonly NetworkSample[];
  /** The last sample. */
  readonly final: NetworkSample;
  /** Time from start to the outbound target, over the non-seed nodes that reached it. */
  readonly timeToTarget: Durations;
  /** The first sample at which every running non-seed node had its outbound target, or null. */
  readonly allAtTargetAt: number | null;
  /** The first sample with one component, or null; after a heal, see `oneComponentAfter`. */
  readonly oneComponentAt: number | null;
  /** Per event applied, the first sample from its time on with one component (or null). */
  readonly oneComponentAfter: readonly { readonly event: string; readonly at: number; readonly oneComponentAt: number | null }[];
  /** Peers added and removed over the run (each side of a connection counts). */
  readonly peerEvents: { readonly added: number; readonly removed: number };
  /** Every node at the end. */
  readonly perNode: readonly NodeSummary[];
  /** The simulation's own work: scheduled actions run, instants time stopped at. */
  readonly work: { readonly actions: number; readonly instants: number };
}

/** {@link Spread} of `values` (zeros when empty). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, mean: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, mean: Math.round((sum / values.length) * 100) / 100, max };
}

/** {@link Durations} of `values`. */
export function durations(values: readonly number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: sorted.length === 0 ? null : sorted[sorted.length - 1] };
}

/**
 * The connected components of a graph on `n` vertices given by `edges` (pairs of indexes), over
 * the vertices `present` says are in it: how many, and the size of the largest.
 */
export function components(n: number, present: (i: number) => boolean, edges: Iterable<readonly [number, number]>): { count: number; largest: number } {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const [a, b] of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) if (present(i)) sizes.set(find(i), (sizes.get(find(i)) ?? 0) + 1);
  let largest = 0;
  for (const s of sizes.values()) largest = Math.max(largest, s);
  return { count: sizes.size, largest };
}
