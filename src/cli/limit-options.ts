/**
 * The node's resource bounds as command-line options: the process's memory budget, the per-host
 * admission limits, the write-stall timeout and the redial rule, each with the library's default.
 */
import { defaults } from "../mconn/config.js";
import { hostLimitsDefaults } from "../p2p/admission/host-admission.js";
import { switchDefaults, type SwitchOptions } from "../p2p/switch-options.js";
import { CliError, type OptionSpec, type OptionValues } from "./args.js";

const whole = (arg: string, help: string, value: number): OptionSpec => ({ type: "string", arg, help, default: String(value) });

/** The options, as `node --help` lists them. */
export const limitOptions = {
  "max-receive-buffer": whole("BYTES", "bytes all peers together may make us hold (messages being received, queued to send, echoed): each has a floor and a fair share per host; a peer past its share is refused, or ended when another within its share needs the room", switchDefaults.maxReceiveBuffer),
  "max-handshakes-per-ip": whole("N", "inbound connections of one IP in their handshake at once (matters with --allow-duplicate-ip)", hostLimitsDefaults.maxHandshakesPerIp),
  "new-connections-per-ip-burst": whole("N", "new inbound connections one IP may open at once before the rate applies", hostLimitsDefaults.newConnectionsPerIpBurst),
  "new-connections-per-ip-per-second": whole("N", "new inbound connections one IP may open per second after the burst; 0: unlimited", hostLimitsDefaults.newConnectionsPerIpPerSecond),
  "write-stall-timeout": whole("MS", "end a peer whose socket has taken nothing for this long, whatever it sends", defaults.writeStallTimeout),
  "min-connection-lifetime": whole("MS", "a persistent peer's connection shorter than this counts as a failed attempt: the redial backoff keeps growing", switchDefaults.minConnectionLifetime),
} as const satisfies Record<string, OptionSpec>;

/** The smallest value of each option (0 where 0 means "unlimited" or "none"). */
const minimum: Record<keyof typeof limitOptions, number> = {
  "max-receive-buffer": 1,
  "max-handshakes-per-ip": 1,
  "new-connections-per-ip-burst": 1,
  "new-connections-per-ip-per-second": 0,
  "write-stall-timeout": 1,
  "min-connection-lifetime": 0,
};

function wholeOption(values: OptionValues, name: keyof typeof limitOptions): number {
  const value = values[name];
  const n = Number(value);
  const min = minimum[name];
  if (typeof value !== "string" || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new CliError(`--${name} must be a whole number${min > 0 ? ` of at least ${min}` : " (0 or more)"}, got ${JSON.stringify(value ?? "")}`);
  return n;
}

/** The Switch options the parsed values set. @throws {CliError} naming the first option out of range. */
export function limitSwitchOptions(values: OptionValues): Pick<
  SwitchOptions,
  "maxReceiveBuffer" | "maxHandshakesPerIp" | "newConnectionsPerIpBurst" | "newConnectionsPerIpPerSecond" | "minConnectionLifetime" | "mconnection"
> {
  return {
    maxReceiveBuffer: wholeOption(values, "max-receive-buffer"),
    maxHandshakesPerIp: wholeOption(values, "max-handshakes-per-ip"),
    newConnectionsPerIpBurst: wholeOption(values, "new-connections-per-ip-burst"),
    newConnectionsPerIpPerSecond: wholeOption(values, "new-connections-per-ip-per-second"),
    minConnectionLifetime: wholeOption(values, "min-connection-lifetime"),
    mconnection: { writeStallTimeout: wholeOption(values, "write-stall-timeout") },
  };
}
