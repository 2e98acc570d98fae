import type { SwitchChannelDescriptor } from "../p2p/reactor.js";
import { CliError } from "./args.js";

/** Parses `ID:PRIORITY,…` (ids decimal or 0x-hex, 0–255; priority ≥ 1). */
export function parseChannels(spec: string): SwitchChannelDescriptor[] {
  const seen = new Set<number>();
  return spec.split(",").map((item) => {
    const m = /^\s*(0x[0-9a-f]+|\d+)\s*(?::\s*(\d+))?\s*$/i.exec(item);
    if (m === null) throw new CliError(`--channels: ${JSON.stringify(item)} is not ID:PRIORITY`);
    const id = Number(m[1]);
    const priorityText = m.at(2); // undefined when the optional group did not match
    const priority = priorityText === undefined ? 1 : Number(priorityText);
    if (id > 255) throw new CliError(`--channels: channel id ${m[1]} is over 255`);
    if (priority < 1) throw new CliError(`--channels: priority of channel ${m[1]} must be at least 1`);
    if (seen.has(id)) throw new CliError(`--channels: channel ${m[1]} is listed twice`);
    seen.add(id);
    return { id, priority };
  });
}
