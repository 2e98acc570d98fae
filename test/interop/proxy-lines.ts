/**
 * Which CometBFT lines the Go module proxy serves, and whether the matrix
 * (test/interop/cometbft-versions.txt) pins the newest release of each.
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";

/** A release `vMAJOR.MINOR.PATCH` (no pre-release), as numbers; undefined for anything else. */
function release(version: string): [number, number, number] | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The newest release of each line (`vMAJOR.MINOR`) among `versions`; lines with only pre-releases are left out. */
export function newestPerLine(versions: readonly string[]): Map<string, string> {
  const newest = new Map<string, [string, number]>();
  for (const v of versions) {
    const r = release(v);
    if (r === undefined) continue;
    const line = `v${r[0]}.${r[1]}`;
    const seen = newest.get(line);
    if (seen === undefined || r[2] > seen[1]) newest.set(line, [v, r[2]]);
  }
  return new Map([...newest].map(([line, [v]]) => [line, v]));
}

/** One sentence per line whose newest release in `served` is not in `pinned`, naming the line, its release and what is pinned. */
export function missingFromMatrix(served: readonly string[], pinned: readonly string[]): string[] {
  const pinnedPerLine = new Map([...newestPerLine(pinned)].map(([line, v]) => [line, v]));
  return [...newestPerLine(served)]
    .filter(([, v]) => !pinned.includes(v))
    .map(([line, v]) => `line ${line}: its newest release ${v} is not in the matrix (${pinnedPerLine.has(line) ? `it pins ${pinnedPerLine.get(line)}` : "no version of the line is pinned"})`);
}

/** The versions of github.com/cometbft/cometbft the Go module proxy lists (`go list -m -versions`). */
export function servedVersions(): string[] {
  const out = execFileSync("go", ["list", "-m", "-versions", "github.com/cometbft/cometbft"], { cwd: tmpdir(), encoding: "utf8", env: { ...process.env, GOWORK: "off", GO111MODULE: "on" } });
  const [module, ...versions] = out.trim().split(/\s+/);
  if (module !== "github.com/cometbft/cometbft" || versions.length === 0) throw new Error(`go list -m -versions gave no versions: ${out}`);
  return versions;
}
