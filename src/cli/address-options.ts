import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseHostPort, parseNetAddress } from "../p2p/netaddress.js";
import { CliError } from "./args.js";

function checked(label: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    throw new CliError(`${label}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Checks the `HOST:PORT` value of `--option` (as the Switch and the metrics server parse it); returns it. */
export function hostPortOption(option: string, value: string): string {
  checked(`--${option}`, () => parseHostPort(value));
  return value;
}

/** Checks one `ID@HOST:PORT` (`label` names where it came from in the message); returns it. */
export function peerAddressArgument(label: string, value: string): string {
  checked(label, () => parseNetAddress(value));
  return value;
}

/** Checks the comma-separated `ID@HOST:PORT` list of `--option` (empty items ignored); returns the items. */
export function peerListOption(option: string, value: string): string[] {
  const peers = value.split(",").map((p) => p.trim()).filter((p) => p !== "");
  for (const peer of peers) peerAddressArgument(`--${option}`, peer);
  return peers;
}

/**
 * Resolves the host of each `HOST:PORT` or `ID@HOST:PORT` in `addresses` (checked already), so
 * that a name that does not resolve is a one-line usage error naming `label` before any file is
 * written or any connection made.
 */
export async function checkResolvable(label: string, addresses: readonly string[]): Promise<void> {
  await Promise.all(
    addresses.map(async (address) => {
      const { host } = address.includes("@") ? parseNetAddress(address) : parseHostPort(address);
      if (isIP(host) !== 0) return;
      await lookup(host).catch((err: unknown) => {
        throw new CliError(`${label}: cannot resolve host "${host}" of ${address}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      });
    }),
  );
}
