/**
 * The logger rx-mconn writes to: the subset of pino's interface it uses, so a pino logger (or
 * anything shaped like it) can be passed in. Silent by default.
 * @module
 */

/** One level: `(fields, message)`, as pino's. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** A pino-compatible logger. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const nothing: LogFn = () => undefined;

/** The default: logs nothing. */
export const silentLogger: Logger = Object.freeze({ debug: nothing, info: nothing, warn: nothing, error: nothing });
