/**
 * The CometBFT release lines rx-mconn speaks to, and how to tell them apart.
 * @module
 */

/** A CometBFT release line. Nodes of every line share one wire format (see `docs/cometbft.md`). */
export type CometbftLine = "v0.34" | "v0.37" | "v0.38" | "v0.39" | "v1";

/** Every line, oldest first. */
export const COMETBFT_LINES: readonly CometbftLine[] = ["v0.34", "v0.37", "v0.38", "v0.39", "v1"];

/**
 * The line of a CometBFT version: a tag (`"v0.38.26"`), a module version or the version a node
 * advertises in its NodeInfo (`"0.38.26"`, `"1.0.1"`). Undefined for anything else.
 */
export function cometbftLine(version: string): CometbftLine | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  if (m === null) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 1) return "v1";
  if (major !== 0) return undefined;
  const line = `v0.${minor}`;
  return (COMETBFT_LINES as readonly string[]).includes(line) ? (line as CometbftLine) : undefined;
}
