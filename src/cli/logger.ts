/**
 * The CLI's logger: pino, writing JSON lines or a compact human-readable form to stderr, at the
 * level `--log-level` names, else `debug` when `DEBUG` names rx-mconn, else `info`.
 */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { choiceOption, type OptionSpec, type OptionValues } from "./args.js";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** The levels `--log-level` accepts, most verbose first. */
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** The formats `--log-format` accepts. */
const LOG_FORMATS = ["json", "pretty"] as const;

/** The options of a command that logs. */
export const loggingOptions: Readonly<Record<string, OptionSpec>> = {
  "log-level": { type: "string", arg: "LEVEL", help: `the least severe level logged: ${LOG_LEVELS.join(", ")}`, defaultText: "info; debug when $DEBUG names rx-mconn" },
  "log-format": { type: "string", arg: "FORMAT", help: `${LOG_FORMATS.join(" or ")}: JSON lines or one readable line per entry, on stderr`, default: "json" },
};

/**
 * True when a `DEBUG` value (as the `debug` package reads it: names separated by commas or
 * spaces, `*` for any text, a leading `-` excludes) names `name` or one of its `name:…` parts.
 */
export function debugNames(env: string | undefined, name: string): boolean {
  let on = false;
  for (const item of (env ?? "").split(/[\s,]+/).filter((x) => x !== "")) {
    const exclude = item.startsWith("-");
    const pattern = new RegExp(`^${(exclude ? item.slice(1) : item).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`);
    if (!pattern.test(name) && !pattern.test(`${name}:`)) continue;
    if (exclude) return false;
    on = true;
  }
  return on;
}

/** The level: `--log-level` if given, else `debug` when `debugEnv` names rx-mconn, else `info`. */
export function logLevel(values: OptionValues, debugEnv: string | undefined): LogLevel {
  if (values["log-level"] !== undefined) return choiceOption(values, "log-level", LOG_LEVELS);
  return debugNames(debugEnv, "rx-mconn") ? "debug" : "info";
}

/** One pino JSON line as `HH:MM:SS.mmm LEVEL message key=value …`. */
function prettyLine(json: string): string {
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(json) as Record<string, unknown>;
  const at = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 23);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [at, (LEVELS[level as number] ?? String(level)).padEnd(5), typeof msg === "string" ? msg : msg === undefined ? "" : JSON.stringify(msg), ...fields].join(" ");
}

/** A pino logger as {@link loggingOptions} and `$DEBUG` say, writing to `write` (default stderr). */
export function cliLogger(values: OptionValues, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), debugEnv = process.env["DEBUG"]): Logger {
  const format = choiceOption(values, "log-format", LOG_FORMATS);
  const level = logLevel(values, debugEnv);
  let partial = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split("\n");
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split() returns at least one element
      partial = lines.pop()!;
      for (const line of lines) if (line !== "") write(format === "json" ? line : prettyLine(line));
      done();
    },
  });
  return pino({ base: undefined, level }, stream);
}
