/**
 * Loads `rx-mconn/metrics` for `node --metrics` only: `prom-client` is an optional peer
 * dependency, so every other command runs without it.
 */
import { CliError } from "./args.js";

/** The metrics module, loaded on demand. */
export type MetricsModule = typeof import("../metrics/index.js");

/** Imports the metrics module; without `prom-client` installed, a one-line {@link CliError} saying to install it. */
export async function loadMetrics(): Promise<MetricsModule> {
  try {
    return await import("../metrics/index.js");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ERR_MODULE_NOT_FOUND" && /prom-client/.test(e.message))
      throw new CliError("--metrics needs prom-client, an optional peer dependency: run `npm install prom-client` beside rx-mconn", 1);
    throw err;
  }
}
