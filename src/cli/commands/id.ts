import { CliError, stringOption, type Command } from "../args.js";
import { checkReadableFile, MAX_NODE_KEY_BYTES, readNodeKeyFile } from "../file-checks.js";
import { homeDir, homeOption, nodeKeyPath } from "../home.js";

/** `id`: prints the node ID of a node_key.json. */
export const id: Command = {
  summary: "print the node ID of the node key in --home (or of --key FILE)",
  usage: "rx-mconn id [--home DIR | --key FILE]",
  options: { home: homeOption, key: { type: "string", arg: "FILE", help: "a node_key.json anywhere", defaultText: "the one in --home" } },
  async run(values, _positionals, io) {
    if (values["home"] !== undefined && values["key"] !== undefined) throw new CliError("give --home or --key, not both");
    const path = stringOption(values, "key") ?? nodeKeyPath(homeDir(stringOption(values, "home")));
    const label = values["key"] === undefined ? "the node key" : "--key";
    if (!(await checkReadableFile(label, path, MAX_NODE_KEY_BYTES, true))) throw new CliError(`${label} ${path}: no such file (run: rx-mconn keygen)`);
    const key = await readNodeKeyFile(label, path);
    io.out(key.id);
    return 0;
  },
};
