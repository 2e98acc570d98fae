import { access } from "node:fs/promises";
import { generateNodeKey, saveNodeKey } from "../../secret/node-key.js";
import { CliError, stringOption, type Command } from "../args.js";
import { checkWritableDir, checkWritableFile } from "../file-checks.js";
import { ensureConfigDir, homeDir, homeOption, nodeKeyPath } from "../home.js";

/** `keygen`: writes a new CometBFT-compatible node_key.json and prints the node ID. */
export const keygen: Command = {
  summary: "write a new node key (CometBFT's node_key.json) and print the node ID",
  usage: "rx-mconn keygen [--home DIR] [--force]",
  options: { home: homeOption, force: { type: "boolean", help: "replace an existing key" } },
  async run(values, _positionals, io) {
    const home = homeDir(stringOption(values, "home"));
    const path = nodeKeyPath(home);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists && values["force"] !== true) throw new CliError(`${path} exists; pass --force to replace it`, 1);
    await checkWritableDir("--home", home);
    if (exists) await checkWritableFile("--home", path);
    await ensureConfigDir(home);
    const key = generateNodeKey();
    await saveNodeKey(path, key);
    io.err(`wrote ${path}`);
    io.out(key.id);
    return 0;
  },
};
