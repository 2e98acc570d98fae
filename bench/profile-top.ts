/**
 * Self time by function in a `.cpuprofile` (from `node --cpu-prof`), as a share of the span in
 * which `marker` (a function name, e.g. `append` for a bulk far end, `flushOnce` for a sender)
 * was sampled: the transfer, without the process's start and end.
 * Usage: node --import tsx bench/profile-top.ts FILE [N=25] [marker]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file = "", n = "25", marker = ""] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const frameOf = (sample: number) => byId.get(sample)?.callFrame;
const marked = profile.samples.flatMap((s, i) => (marker === "" || frameOf(s)?.functionName === marker ? [i] : []));
const first = marked.at(0) ?? 0;
const last = marked.at(-1) ?? profile.samples.length - 1;
const self = new Map<string, number>();
let span = 0;
for (let i = first; i <= last; i++) {
  const f = frameOf(profile.samples[i]);
  const t = profile.timeDeltas[i] ?? 0;
  span += t;
  const key = f === undefined ? "?" : `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
}
console.log(`span ${(span / 1000).toFixed(0)} ms`);
for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((100 * t) / span).toFixed(1).padStart(5)} % ${key}`);
