/**
 * Command-line plumbing shared by the commands: option parsing with `node:util`, one-line
 * errors, help text with every option's default.
 */
import { parseArgs } from "node:util";

/** A usage or runtime error shown as one line; `code` is the exit status (2: usage). */
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
  /**
   * Resolves when the process is asked to stop (SIGINT/SIGTERM). Reading it installs the signal
   * handlers: a command reads it once it has something to shut down; until then a signal ends
   * the process as by default.
   */
  readonly stopped: Promise<void>;
}

/** What `--help` says of an option's default: exactly one of these. */
type OptionDefault =
  /** Applied when the option is absent, and shown. */
  | { readonly default: string }
  /** Shown only: the command works the default out itself (e.g. from the environment). */
  | { readonly defaultText: string }
  /** The command refuses to run without it. */
  | { readonly required: true };

/** One option of a command: how it parses, and what `--help` says of it. */
export type OptionSpec = {
  readonly help: string;
} & ({ readonly type: "boolean" } | ({ readonly type: "string"; /** The value's placeholder, e.g. `HOST:PORT`. */ readonly arg: string } & OptionDefault));

/** Parsed option values: strings (defaults applied) and booleans. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** A command: its help and its body (returns the exit status). */
export interface Command {
  readonly summary: string;
  /** The synopsis after `usage: `. */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly allowPositionals?: boolean;
  /**
   * V8 flags (`--name=value`) the command runs best with: the CLI runs it in a child process
   * given those the user did not set (see `v8-flags.ts`).
   */
  readonly v8Flags?: readonly string[];
  run(values: OptionValues, positionals: string[], io: CliIO): Promise<number>;
}

/** `--help` of `command`: summary, usage, and each option with its default. */
export function commandHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, o]): [string, string] => {
    const left = o.type === "string" ? `--${name} ${o.arg}` : `--${name}`;
    const right = o.type === "boolean" ? "off unless given" : "required" in o ? "required" : `default: ${"default" in o ? o.default : o.defaultText}`;
    return [left, `${o.help} (${right})`];
  });
  rows.push(["--help, -h", "this help"], ["--version, -v", "print the version"]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [command.summary, "", `usage: ${command.usage}`, "", "options:", ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`)].join("\n");
}

// parseArgs takes `--seconds -1` for a missing value followed by an option; a value that reads
// as a negative number is joined to its option (`--seconds=-1`) so that the command can say
// what is wrong with it.
function joinNegativeNumbers(command: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const spec = arg.startsWith("--") && Object.hasOwn(command.options, arg.slice(2)) ? command.options[arg.slice(2)] : undefined;
    if (spec?.type === "string" && i + 1 < argv.length && /^-\.?\d/.test(argv[i + 1])) {
      out.push(`${arg}=${argv[i + 1]}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Parses `argv` for `command`, applying defaults; a parse failure is a one-line {@link CliError}. */
export function parse(command: Command, argv: readonly string[]): { values: OptionValues; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, o]) => [name, o.type === "string" && "default" in o ? { type: o.type, default: o.default } : { type: o.type }]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeNumbers(command, argv),
      options: { ...options, help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values: values, positionals };
  } catch (err) {
    throw new CliError(parseErrorLine(err));
  }
}

// node:util's messages, made one line that says what to do.
function parseErrorLine(err: unknown): string {
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  const ambiguous = /^Option '(--[^ ']+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous !== null) return `${ambiguous[1]} needs a value (one starting with "-" is written ${ambiguous[1]}=VALUE)`;
  if (message.startsWith("Unknown option")) return `${message.replace(/\.$/, "")} (--help lists the options)`;
  return message;
}

/** A positive number from an option. */
export function numberOption(values: OptionValues, name: string): number {
  const value = values[name];
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a positive number, got ${JSON.stringify(value ?? "")}`);
  return n;
}

/** A string option (its default applied by {@link parse}), or undefined when absent without one. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A string option the command cannot run without. */
export function requiredOption(values: OptionValues, name: string, arg: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new CliError(`--${name} ${arg} is required`);
  return value;
}

/** A string option that must be one of `choices`. */
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T {
  const value = stringOption(values, name);
  if (!choices.includes(value as T)) throw new CliError(`--${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(value ?? "")}`);
  return value as T;
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
