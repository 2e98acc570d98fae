/**
 * The CLI's logger: pino, writing JSON lines or a compact human-readable form to stderr.
 */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { CliError } from "./args.js";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** One pino JSON line as `HH:MM:SS.mmm LEVEL message key=value …`. */
export function prettyLine(json: string): string {
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(json) as Record<string, unknown>;
  const at = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 23);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [at, (LEVELS[level as number] ?? String(level)).padEnd(5), typeof msg === "string" ? msg : msg === undefined ? "" : JSON.stringify(msg), ...fields].join(" ");
}

/** A pino logger writing to `write` (default stderr) in `format` (`json` or `pretty`). */
export function cliLogger(format: string, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  if (format !== "json" && format !== "pretty") throw new CliError(`--log-format must be json or pretty, got ${JSON.stringify(format)}`);
  let partial = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop()!;
      for (const line of lines) if (line !== "") write(format === "json" ? line : prettyLine(line));
      done();
    },
  });
  return pino({ base: undefined }, stream);
}
