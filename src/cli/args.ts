/**
 * Command-line plumbing shared by the commands: option parsing with `node:util`, one-line
 * errors, help text.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A usage or runtime error shown as one line; `code` is the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Where a command writes. Tests pass their own. */
export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>;
}

/** A command: its help and its body (returns the exit status). */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly allowPositionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: CliIO): Promise<number>;
}

/** Parses `argv` for `command`, turning parse failures into {@link CliError}s. */
export function parse(command: Command, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values: values, positionals };
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message.split("\n")[0] : String(err));
  }
}

/** A positive number from an option, or the default. */
export function numberOption(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/** A string option, or the default. */
export function stringOption(value: string | boolean | undefined, fallback: string): string;
export function stringOption(value: string | boolean | undefined): string | undefined;
export function stringOption(value: string | boolean | undefined, fallback?: string): string | undefined {
  return typeof value === "string" ? value : fallback;
}

/** Formats a byte count (B, kB, MB, GB; decimal). */
export function bytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** Left-pads `s` to `width`. */
export const pad = (s: string | number, width: number) => String(s).padStart(width);
