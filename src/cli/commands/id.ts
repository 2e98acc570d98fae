import { loadNodeKey } from "../../secret/node-key.js";
import { CliError, stringOption, type Command } from "../args.js";
import { homeDir, nodeKeyPath } from "../home.js";

/** `id`: prints the node ID of a node_key.json. */
export const id: Command = {
  summary: "print the node ID of the node key in --home (or of --key FILE)",
  usage: "rx-mconn id [--home DIR | --key FILE]",
  options: { home: { type: "string" }, key: { type: "string" } },
  async run(values, _positionals, io) {
    const path = stringOption(values["key"]) ?? nodeKeyPath(homeDir(stringOption(values["home"])));
    const key = await loadNodeKey(path).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(code === "ENOENT" ? `no node key at ${path} (run: rx-mconn keygen)` : `${path}: ${(err as Error).message}`, 1);
    });
    io.out(key.id);
    return 0;
  },
};
