/**
 * The benchmark's outputs: a table on stdout and `bench/results/latest.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { arch, cpus, platform, totalmem } from "node:os";
import { chart } from "./chart.js";
import type { MachineState } from "./machine-state.js";
import { ratioText, type Figure } from "./measure.js";

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** A target's verdict: met or MISSED on a quiet machine; not judged on a busy one. */
export function targetText(f: Figure, state: Pick<MachineState, "busy">): string {
  if (f.target === undefined) return "";
  if (state.busy) return `not judged (busy machine): ${f.target.text}`;
  return `${f.target.met ? "met" : "MISSED"}: ${f.target.text}`;
}

/** The table of every figure: value, spread, baseline, ratio with its spread, target. */
export function table(figures: readonly Figure[], state: Pick<MachineState, "busy">): string {
  const rows = [["case", "metric", "value", "unit", "spread", "baseline", "ratio", "target"]];
  for (const f of figures)
    rows.push([
      f.case,
      f.metric,
      fmt(f.value),
      f.unit,
      `${fmt(f.spread[0])}–${fmt(f.spread[1])}`,
      f.baseline === undefined ? "" : `${f.baseline.name} ${fmt(f.baseline.value)}`,
      ratioText(f),
      targetText(f, state),
    ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The machine the figures were measured on. */
export function machine() {
  const c = cpus();
  return { node: process.version, platform: platform(), arch: arch(), cpus: c.length, cpuModel: c[0]?.model ?? "?", memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

/**
 * Writes `bench/results/latest.json` and `bench/results/latest.svg`; a full run of every case
 * (not `--quick`, no `--only`) on a quiet machine also writes the chart shown in
 * `docs/benchmarks.md` (`docs/benchmarks.svg`).
 */
export async function writeResults(figures: readonly Figure[], state: MachineState, options: { quick: boolean; repeat: number; allCases: boolean }): Promise<string[]> {
  const dir = new URL("./results/", import.meta.url);
  await mkdir(dir, { recursive: true });
  const json = new URL("latest.json", dir);
  await writeFile(json, `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), state, quick: options.quick, repeat: options.repeat, figures }, null, 2)}\n`);
  const m = machine();
  const title = `rx-mconn vs baselines in the same run: ${m.cpus} × ${m.cpuModel}, Node ${m.node}${options.quick ? " (quick)" : ""}${state.busy ? " — BUSY machine, targets not judged" : ""}`;
  const svg = chart(figures, title);
  const svgFile = new URL("latest.svg", dir);
  await writeFile(svgFile, svg);
  const written = [json.pathname, svgFile.pathname];
  if (!options.quick && options.allCases && !state.busy) {
    const docs = new URL("../docs/benchmarks.svg", import.meta.url);
    await writeFile(docs, svg);
    written.push(docs.pathname);
  }
  return written;
}
