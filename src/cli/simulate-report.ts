/**
 * What `rx-mconn simulate` prints of a {@link SimulationReport}: a row per sample, a summary,
 * and an SVG of the network's curves over virtual time.
 * @module
 */
import type { NetworkSample, SimulationReport } from "../testing/index.js";
import { pad } from "./args.js";

/** A virtual duration: seconds below a minute, minutes with a decimal above. */
const minutes = (ms: number | null): string => (ms === null ? "never" : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`);

/** The table: a row per sample (virtual minute, nodes up, components, peers, books, dials), then the summary. */
export function simulationTable(report: SimulationReport): string[] {
  const attack = report.attackers > 0;
  const head = `${pad("min", 6)} ${pad("up", 6)} ${pad("comp", 5)} ${pad("largest", 8)} ${pad("conns", 7)} ${pad("peers", 6)} ${pad("out", 5)} ${pad("at target", 10)} ${pad("book", 6)} ${pad("dials ok", 9)} ${pad("failed", 7)}${attack ? `${pad("attacker % book", 16)} ${pad("% peers", 8)} ${pad("eclipsed", 9)}` : ""}`;
  const row = (s: NetworkSample) => {
    const failed = s.dials.refused + s.dials.timeout + s.dials["handshake-failed"];
    const a = s.attack;
    return (
      `${pad((s.at / 60_000).toFixed(1), 6)} ${pad(s.up, 6)} ${pad(s.components, 5)} ${pad(s.largestComponent, 8)} ${pad(s.connections, 7)} ${pad(s.peers.mean.toFixed(1), 6)} ${pad(s.outbound.mean.toFixed(1), 5)} ${pad(s.atOutboundTarget, 10)} ${pad(s.book.mean.toFixed(0), 6)} ${pad(s.dials.connected, 9)} ${pad(failed, 7)}` +
      (attack && a ? `${pad(a.bookShare.mean.toFixed(1), 16)} ${pad(a.peerShare.mean.toFixed(1), 8)} ${pad(a.eclipsed, 9)}` : "")
    );
  };
  const t = report.timeToTarget;
  const lines = [
    `${report.nodes} nodes (${report.seeds} seeds${attack ? `, ${report.attackers} attacker identities` : ""}), ${minutes(report.duration)} of virtual time, seed ${report.seed}, outbound target ${report.outboundTarget}`,
    "(peers, out, book: means over the honest nodes running; dials: attempts so far)",
    head,
    ...report.samples.map(row),
    "",
    `time to the outbound target: p50 ${minutes(t.p50)}, p90 ${minutes(t.p90)}, max ${minutes(t.max)} (${t.count} nodes reached it)`,
    `every node at its target: ${minutes(report.allAtTargetAt)}; one component first: ${minutes(report.oneComponentAt)}`,
    ...report.oneComponentAfter.map((e) => `after ${e.event} at ${minutes(e.at)}: one component at ${minutes(e.oneComponentAt)}`),
    `peers added ${report.peerEvents.added}, removed ${report.peerEvents.removed}; the clock ran ${report.work.actions} actions at ${report.work.instants} instants`,
  ];
  return lines;
}

interface Curve {
  readonly label: string;
  readonly colour: string;
  /** Percent (0–100) at each sample. */
  readonly value: (s: NetworkSample, r: SimulationReport) => number;
}

const CURVES: readonly Curve[] = [
  { label: "largest component, % of nodes up", colour: "#1f77b4", value: (s) => (s.up === 0 ? 0 : (100 * s.largestComponent) / s.up) },
  { label: "nodes at their outbound target, % of non-seed nodes up", colour: "#2ca02c", value: (s) => pct(s.atOutboundTarget, s.atOutboundTarget + s.belowOutboundTarget) },
  { label: "outbound peers, mean, % of the target", colour: "#ff7f0e", value: (s, r) => pct(s.outbound.mean, r.outboundTarget) },
  { label: "nodes up, % of the honest nodes", colour: "#9467bd", value: (s, r) => pct(s.up, r.nodes) },
];
const ATTACK: Curve = { label: "attacker addresses in honest books, mean %", colour: "#d62728", value: (s) => s.attack?.bookShare.mean ?? 0 };

function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.min(100, (100 * part) / whole);
}

/** An SVG of the run: each curve in percent over virtual minutes, with a legend. */
export function simulationSvg(report: SimulationReport): string {
  const width = 720;
  const height = 360;
  const left = 50;
  const top = 30;
  const plotW = width - left - 20;
  const plotH = 220;
  const curves = report.attackers > 0 ? [...CURVES, ATTACK] : CURVES;
  const x = (at: number) => left + (plotW * at) / Math.max(1, report.duration);
  const y = (v: number) => top + plotH - (plotH * v) / 100;
  const grid = [0, 25, 50, 75, 100].map((v) => `<line x1="${left}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}%</text>`);
  const ticks = Array.from({ length: 6 }, (_, k) => (report.duration * k) / 5).map(
    (at) => `<text x="${x(at).toFixed(1)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle">${(at / 60_000).toFixed(1)}</text>`,
  );
  const lines = curves.map((c) => {
    const points = report.samples.map((s) => `${x(s.at).toFixed(1)},${y(c.value(s, report)).toFixed(1)}`).join(" ");
    return `<polyline fill="none" stroke="${c.colour}" stroke-width="2" points="${points}"/>`;
  });
  const legend = curves.map((c, k) => `<g><rect x="${left}" y="${top + plotH + 30 + 16 * k}" width="12" height="4" fill="${c.colour}"/><text x="${left + 18}" y="${top + plotH + 36 + 16 * k}" font-size="12">${c.label}</text></g>`);
  const title = `${report.nodes} nodes, ${report.seeds} seeds${report.attackers > 0 ? `, ${report.attackers} attacker identities` : ""}, seed ${report.seed} (virtual minutes)`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 16 * (curves.length - 4)}" viewBox="0 0 ${width} ${height + 16 * (curves.length - 4)}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="14" font-size="12">${title}</text>`,
    ...grid,
    ...ticks,
    ...lines,
    ...legend,
    `</svg>`,
  ].join("\n");
}
