import { loadNodeKey } from "../../secret/node-key.js";
import { CliError, stringOption, type Command } from "../args.js";
import { homeDir, homeOption, nodeKeyPath } from "../home.js";

/** `id`: prints the node ID of a node_key.json. */
export const id: Command = {
  summary: "print the node ID of the node key in --home (or of --key FILE)",
  usage: "rx-mconn id [--home DIR | --key FILE]",
  options: { home: homeOption, key: { type: "string", arg: "FILE", help: "a node_key.json anywhere", defaultText: "the one in --home" } },
  async run(values, _positionals, io) {
    if (values["home"] !== undefined && values["key"] !== undefined) throw new CliError("give --home or --key, not both");
    const path = stringOption(values, "key") ?? nodeKeyPath(homeDir(stringOption(values, "home")));
    const key = await loadNodeKey(path).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(code === "ENOENT" ? `no node key at ${path} (run: rx-mconn keygen)` : `${path}: ${(err as Error).message}`, 1);
    });
    io.out(key.id);
    return 0;
  },
};
