/**
 * The scenarios of `rx-mconn simulate`, each a {@link NetworkSpec} built from the command's
 * options: a bootstrap through seeds, churn, a partition and its heal, an eclipse attempt.
 * @module
 */
import type { NetworkSpec, SimEvent } from "../testing/index.js";

/** The scenarios `rx-mconn simulate --scenario` runs. */
export const SCENARIOS = ["bootstrap", "churn", "partition", "eclipse"] as const;

/** What the command's options say of the network. */
export interface ScenarioOptions {
  /** One of {@link SCENARIOS}. */
  readonly scenario: (typeof SCENARIOS)[number];
  /** Honest nodes, seeds included. */
  readonly nodes: number;
  /** The first `seeds` nodes run in seed mode; every other node knows them. */
  readonly seeds: number;
  /** Virtual minutes to run. */
  readonly minutes: number;
  readonly seed: number;
  /** Virtual seconds between samples. */
  readonly sampleSeconds: number;
  /** One-way link latency in ms (the simulation's default when absent). */
  readonly latency?: number;
  /** /16 groups the honest nodes are spread over (one per node when absent). */
  readonly groups?: number;
  /** `eclipse`: the attacker's identities, all in one /16. */
  readonly attackers: number;
  /** `churn`: the percent of non-seed nodes leaving (and the same number joining again) each minute. */
  readonly churnPercent: number;
  /** `partition`: virtual minutes the two halves stay cut. */
  readonly cutMinutes: number;
}

const MINUTE = 60_000;

/**
 * `churn`: from minute 1 on, each minute a `churnPercent` of the non-seed nodes leaves (a
 * different slice each minute, in index order, wrapping round) and the slice that left the
 * minute before joins again. No randomness of its own: the run's seed decides the rest.
 */
function churnEvents(o: ScenarioOptions): SimEvent[] {
  const pool = o.nodes - o.seeds;
  const slice = Math.max(1, Math.round((pool * o.churnPercent) / 100));
  const events: SimEvent[] = [];
  let previous: number[] = [];
  for (let m = 1; m < o.minutes; m++) {
    const leaving = Array.from({ length: Math.min(slice, pool) }, (_, k) => o.seeds + (((m - 1) * slice + k) % pool));
    if (previous.length > 0) events.push({ at: m * MINUTE, type: "join", nodes: previous });
    const next = leaving.filter((n) => !previous.includes(n));
    if (next.length > 0) events.push({ at: m * MINUTE, type: "leave", nodes: next });
    previous = next;
  }
  return events;
}

/**
 * `partition`: the nodes split in two (even and odd indexes, each side with seeds when there are
 * two or more) at a quarter of the run, for `cutMinutes` (at most half the run), then heal.
 */
function partitionEvents(o: ScenarioOptions): SimEvent[] {
  const at = Math.round((o.minutes * MINUTE) / 4);
  const cut = Math.min(o.cutMinutes * MINUTE, Math.round((o.minutes * MINUTE) / 2));
  return [
    { at, type: "partition", sides: 2 },
    { at: at + cut, type: "heal" },
  ];
}

/** The {@link NetworkSpec} of `o`. */
export function scenarioSpec(o: ScenarioOptions): NetworkSpec {
  const events = o.scenario === "churn" ? churnEvents(o) : o.scenario === "partition" ? partitionEvents(o) : [];
  return {
    seed: o.seed,
    nodes: o.nodes,
    seeds: o.seeds,
    duration: o.minutes * MINUTE,
    sampleInterval: o.sampleSeconds * 1000,
    ...(o.groups === undefined ? {} : { groups: o.groups }),
    ...(o.latency === undefined ? {} : { link: { latency: o.latency } }),
    ...(events.length > 0 ? { events } : {}),
    ...(o.scenario === "eclipse" ? { attacker: { identities: o.attackers } } : {}),
  };
}
