/**
 * The CometBFT release lines rx-mconn speaks to, and how to tell them apart.
 * @module
 */
import type { Logger } from "../logger.js";

/** A CometBFT release line. Nodes of every line share one wire format (see `docs/cometbft.md`). */
export type CometbftLine = "v0.34" | "v0.37" | "v0.38" | "v0.39" | "v0.40" | "v1";

/** Every line, in version order. */
export const COMETBFT_LINES: readonly CometbftLine[] = ["v0.34", "v0.37", "v0.38", "v0.39", "v0.40", "v1"];

/** The newest known line of each major version, which a newer version of that major is taken for. */
const NEWEST_OF_MAJOR: ReadonlyMap<number, { readonly line: CometbftLine; readonly minor: number }> = new Map([
  [0, { line: "v0.40", minor: 40 }],
  [1, { line: "v1", minor: 0 }],
]);

/** Options of {@link cometbftLine}. */
export interface CometbftLineOptions {
  /**
   * Where the warning about a version newer than every known line goes, once per version and
   * logger (at `warn`, with fields `version` and `assumedLine`). Default: Node's
   * `process.emitWarning`, once per version and process, as a `CometbftLineWarning` with code
   * `RX_MCONN_COMETBFT_LINE_ASSUMED` (listen with `process.on("warning", …)`).
   */
  readonly logger?: Logger;
}

/** The versions already warned about, per logger (and for `process.emitWarning`). */
const warned = new WeakMap<object, Set<string>>();
const PROCESS = {};

function warnOnce(version: string, line: CometbftLine, logger: Logger | undefined): void {
  const key = logger ?? PROCESS;
  const seen = warned.get(key) ?? new Set<string>();
  warned.set(key, seen);
  if (seen.has(version)) return;
  seen.add(version);
  const message = `CometBFT ${version} is newer than every line rx-mconn knows; assuming it speaks as ${line}, the newest known line of its major version`;
  if (logger !== undefined) logger.warn({ version, assumedLine: line }, message);
  else process.emitWarning(message, { type: "CometbftLineWarning", code: "RX_MCONN_COMETBFT_LINE_ASSUMED" });
}

/**
 * The line of a CometBFT version: a tag (`"v0.38.26"`), a module version or the version a node
 * advertises in its NodeInfo (`"0.38.26"`, `"1.0.1"`). A version newer than every known line of
 * its major version (`"0.41.0"`, `"1.1.0"`) is taken for the newest known line of that major
 * (`"v0.40"`, `"v1"`), with one warning naming the assumption (see
 * {@link CometbftLineOptions.logger}). Undefined for anything else: another major version, a
 * minor version between known lines (`"0.36.0"`), not a version.
 *
 * Mind that a node's NodeInfo version is not always its release: v0.40.0 advertises `0.39.0`
 * and v0.37.18 `0.37.16`. Where you know the release you run, name its line.
 */
export function cometbftLine(version: string, options: CometbftLineOptions = {}): CometbftLine | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  if (m === null) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const newest = NEWEST_OF_MAJOR.get(major);
  if (newest === undefined) return undefined;
  if (minor > newest.minor) {
    warnOnce(version.trim(), newest.line, options.logger);
    return newest.line;
  }
  const line = major === 1 ? "v1" : `v0.${minor}`;
  return (COMETBFT_LINES as readonly string[]).includes(line) ? (line as CometbftLine) : undefined;
}
