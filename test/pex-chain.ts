/**
 * The four-node chain of the interop suite and what discovery makes of it, shared by the test
 * against real CometBFT nodes (test/interop/cometbft-pex-chain.test.ts) and by its simulation
 * (test/integration/sim/pex-chain.test.ts).
 *
 * A, B, C, D start in that order, each once its predecessor is linked; each names only its
 * predecessor as persistent peer; PEX on, CometBFT's defaults (10 outbound, 40 inbound,
 * ensurePeers every 30 s, its first round at once since a node starts with no peer). A link is
 * told by its dialer and the dialer's ensurePeers *period* it was made in: period 0 runs from the
 * start to the first periodic round (30 s), period k from round k on.
 */

/** The nodes' names, by index. */
export const chainNames = ["A", "B", "C", "D"] as const;

/** Each node's persistent peers (its predecessor), by index. */
export const chainPersistentPeers: readonly (readonly number[])[] = [[], [0], [1], [2]];

/** A connection as its dialer made it. */
export interface ChainLink {
  /** The dialer's index. */
  readonly from: number;
  /** The dialed node's index. */
  readonly to: number;
  /** The dialer's ensurePeers period it was made in (see the module doc). */
  readonly period: number;
}

/**
 * CometBFT's outcome: B, C and D dial their persistent peers at start (period 0). C asks B for
 * addresses on connecting and learns A (in B's book since B's start: a Switch adds its persistent
 * peers to the book); D asks C and learns A and B. Each dials them at its first periodic round
 * (period 1): addresses from an answer wait for the next period unless a seed gave them. A dials
 * nobody (it has every other node as an inbound peer before it could), B only A. The end: a full
 * mesh, every node with the three others.
 */
export const cometbftChainOutcome: readonly ChainLink[] = [
  { from: 1, to: 0, period: 0 },
  { from: 2, to: 1, period: 0 },
  { from: 3, to: 2, period: 0 },
  { from: 2, to: 0, period: 1 },
  { from: 3, to: 0, period: 1 },
  { from: 3, to: 1, period: 1 },
];

/**
 * The same chain of rx-mconn nodes with `dialOnNewAddresses` on (the default): an answer that
 * brought new addresses while short of outbound peers starts a round at once, so each link PEX
 * found comes one period sooner than in CometBFT, in the period the answer came in (0 here).
 * With `dialOnNewAddresses: false` and no retries before the period (`ensurePeersRetryDelay` at the period) the outcome is {@link cometbftChainOutcome}.
 */
export const rxMconnChainOutcome: readonly ChainLink[] = cometbftChainOutcome.map((l) =>
  chainPersistentPeers[l.from].includes(l.to) ? l : { ...l, period: l.period - 1 },
);

/** `C→A in period 1`, one per link, in a stable order: for messages and deep-equal checks. */
export function formatChainLinks(links: readonly ChainLink[]): string[] {
  return [...links]
    .sort((x, y) => x.from - y.from || x.to - y.to)
    .map((l) => `${chainNames[l.from]}→${chainNames[l.to]} in period ${l.period}`);
}

/** Each node's peers (names, sorted) in the graph the links make. */
export function chainGraph(links: readonly ChainLink[]): Record<string, string> {
  const peers = chainNames.map(() => new Set<string>());
  for (const l of links) {
    peers[l.from].add(chainNames[l.to]);
    peers[l.to].add(chainNames[l.from]);
  }
  return Object.fromEntries(chainNames.map((n, i) => [n, [...peers[i]].sort().join("")]));
}

/** The full mesh of four: each node with the three others. */
export const fullMesh: Record<string, string> = Object.fromEntries(chainNames.map((n) => [n, chainNames.filter((m) => m !== n).join("")]));
