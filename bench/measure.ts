/**
 * Shared pieces of the benchmark cases: results, repetitions, connections to the far end.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** One figure of a case, with the baseline measured in the same run when there is one. */
export interface Figure {
  readonly case: string;
  readonly metric: string;
  readonly unit: string;
  /** Median over the repetitions. */
  readonly value: number;
  /** [min, max] over the repetitions. */
  readonly spread: [number, number];
  readonly baseline?: { readonly name: string; readonly value: number };
  /**
   * ours / baseline (for latencies lower is better; the target says which way): the median of
   * the ratios taken per repetition, each from the two variants measured side by side in the
   * same interleaved pass (see {@link paired}); the median of values otherwise.
   */
  readonly ratio?: number;
  /** [min, max] of the per-repetition ratios. */
  readonly ratioSpread?: [number, number];
  /** The target the ratio (or value) is held to, in words, and whether it was met. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

/** Options every case receives. */
export interface RunOptions {
  readonly quick: boolean;
  /** Repetitions of each measurement. */
  readonly repeat: number;
  readonly progress: (line: string) => void;
}

/** A benchmark case: adding a file in bench/cases that exports one is all it takes. */
export interface BenchCase {
  readonly name: string;
  run(options: RunOptions): Promise<Figure[]>;
}

/** Median and spread of a figure's repetitions. */
export interface Summary {
  readonly value: number;
  readonly spread: [number, number];
}

/** Median and spread of `xs`. */
export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return { value: s[Math.floor(s.length / 2)], spread: [s[0], s[s.length - 1]] };
}

/**
 * A figure of ours against a baseline of the same run. `ours[i]` and `base[i]` come from the
 * same repetition (the variants were taken in turn by {@link interleave}), so their ratio sees
 * one state of the machine; the figure's ratio is the median of those ratios and its spread
 * their lowest and highest. `holds` judges the target from the ratio.
 */
export function paired(
  head: { readonly case: string; readonly metric: string; readonly unit: string },
  ours: readonly number[],
  base: { readonly name: string; readonly values: readonly number[] },
  target?: { readonly text: string; readonly holds: (ratio: number) => boolean },
): Figure {
  const n = Math.min(ours.length, base.values.length);
  const ratios = Array.from({ length: n }, (_, i) => ours[i] / base.values[i]);
  const r = summarize(ratios);
  return {
    ...head,
    ...summarize([...ours]),
    baseline: { name: base.name, value: summarize([...base.values]).value },
    ratio: r.value,
    ratioSpread: r.spread,
    ...(target === undefined ? {} : { target: { text: target.text, met: target.holds(r.value) } }),
  };
}

/** A ratio with the spread of its per-repetition values: "0.87× (0.80–0.93)". */
export function ratioText(f: Figure): string {
  if (f.ratio === undefined) return "";
  const spread = f.ratioSpread === undefined || f.ratioSpread[0] === f.ratioSpread[1] ? "" : ` (${f.ratioSpread[0].toFixed(2)}–${f.ratioSpread[1].toFixed(2)})`;
  return `${f.ratio.toFixed(2)}×${spread}`;
}

/** Runs `f` `n` times (sequentially) and summarizes. */
export async function repeat(n: number, f: () => Promise<number>): Promise<{ value: number; spread: [number, number]; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < n; i++) all.push(await f());
  return { ...summarize(all), all };
}

/** One measurement of a case: `run` gives a result, or why it could not be taken. */
export interface Variant<T> {
  readonly key: string;
  readonly label: string;
  readonly run: () => Promise<T | { skipped: string }>;
}

/**
 * Takes every variant once per repetition, in turn (so that all of them see the same machine:
 * CPU frequency, other load), `n` times; a variant skipped once is not tried again.
 * @returns each variant's results by key (absent when skipped).
 */
export async function interleave<T>(n: number, variants: readonly Variant<T>[], progress: (line: string) => void): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>();
  const skipped = new Set<string>();
  for (let i = 0; i < n; i++)
    for (const v of variants) {
      if (skipped.has(v.key)) continue;
      const r = await v.run();
      if (typeof r === "object" && r !== null && "skipped" in r) {
        progress(`${v.label} skipped: ${(r).skipped}`);
        skipped.add(v.key);
      } else results.set(v.key, [...(results.get(v.key) ?? []), r]);
    }
  return results;
}

/** A TCP connection to 127.0.0.1:`port`, with Nagle off. */
export async function dial(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.setNoDelay(true);
  return socket;
}

/** Percentile `p` (0–100) of sorted `xs`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** MB/s for `bytes` in `ms`. */
export const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
