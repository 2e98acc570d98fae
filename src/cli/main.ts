#!/usr/bin/env node
/**
 * `rx-mconn`: the command-line tool. `rx-mconn <command> --help` describes each command.
 */
import { CliError, commandHelp, parse, type CliIO, type Command } from "./args.js";
import { blocks } from "./commands/blocks.js";
import { crawlCommand } from "./commands/crawl.js";
import { demo } from "./commands/demo.js";
import { id } from "./commands/id.js";
import { keygen } from "./commands/keygen.js";
import { node } from "./commands/node.js";
import { probe } from "./commands/probe.js";
import { simulate } from "./commands/simulate.js";
import { tx } from "./commands/tx.js";
import { watch } from "./commands/watch.js";
import { stopSignal } from "./stop-signal.js";
import { missingV8Flags, runWithV8Flags } from "./v8-flags.js";
import { packageVersion } from "./version.js";

const COMMANDS: Record<string, Command> = { demo, keygen, id, node, probe, watch, blocks, tx, crawl: crawlCommand, simulate };

function usage(): string {
  const lines = ["usage: rx-mconn <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push("", "rx-mconn <command> --help shows a command's options; rx-mconn --version prints the version.");
  return lines.join("\n");
}

/** Runs the CLI with `argv` (without node and script), returning the exit status. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const name = argv.at(0);
  const rest = argv.slice(1);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.out(packageVersion());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (command === undefined) throw new CliError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(", ")})`);
    const { values, positionals } = parse(command, rest);
    if (values["help"] === true) {
      io.out(commandHelp(command));
      return 0;
    }
    if (values["version"] === true) {
      io.out(packageVersion());
      return 0;
    }
    return await command.run(values, positionals, io);
  } catch (err) {
    io.err(`rx-mconn ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof CliError ? err.code : 1;
  }
}

// A reader that went away (`rx-mconn watch --json | head`) ends the command quietly, as for cat.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (err: NodeJS.ErrnoException) => {
    process.exit(err.code === "EPIPE" ? 0 : 1);
  });

let stopped: Promise<void> | undefined;
const io: CliIO = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  get stopped() {
    return (stopped ??= stopSignal());
  },
};
const argv = process.argv.slice(2);
const name = argv.at(0) ?? "";
const v8Flags = missingV8Flags((Object.hasOwn(COMMANDS, name) ? COMMANDS[name].v8Flags : undefined) ?? [], process);
(v8Flags.length > 0 ? runWithV8Flags(v8Flags) : main(argv, io)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`rx-mconn: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
