/**
 * The node's home directory, laid out as CometBFT's: `<home>/config/node_key.json`.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { OptionSpec } from "./args.js";
import { makeDirs } from "./file-checks.js";

/** The `--home` option of the commands that use the node key. */
export const homeOption: OptionSpec = {
  type: "string",
  arg: "DIR",
  help: "the node's home: the key is DIR/config/node_key.json",
  defaultText: "$RX_MCONN_HOME, else ~/.rx-mconn",
};

/** `--home`, else `$RX_MCONN_HOME`, else `~/.rx-mconn`. */
export function homeDir(option: string | undefined): string {
  return option ?? process.env["RX_MCONN_HOME"] ?? join(homedir(), ".rx-mconn");
}

/** Where the node key lives under `home`. */
export function nodeKeyPath(home: string): string {
  return join(home, "config", "node_key.json");
}

/** `<home>/config/addrbook.json`, where CometBFT keeps its address book. */
export function addrBookPath(home: string): string {
  return join(home, "config", "addrbook.json");
}

/** Creates `<home>/config` (and `home`), readable by the owner only. */
export async function ensureConfigDir(home: string): Promise<void> {
  await makeDirs("--home", join(home, "config"));
}
