/**
 * What the CometBFT tools share: a switch declaring only the channels the tool needs, dialed to
 * the nodes given, with failures said in one line.
 */
import { filter, firstValueFrom, from, map, merge } from "rxjs";
import type { CometbftChannelDescriptor } from "../cometbft/channels.js";
import { cometbftChannelName } from "../cometbft/channel-table.js";
import type { CloseReason } from "../mconn/close-reason.js";
import type { Peer } from "../p2p/peer.js";
import { secretAuthenticator } from "../p2p/secret-authenticator.js";
import { Switch } from "../p2p/switch.js";
import { generateNodeKey } from "../secret/node-key.js";
import { checkResolvable, peerAddressArgument } from "./address-options.js";
import { CliError } from "./args.js";

/** Checks that `positionals` are one or more `ID@HOST:PORT` addresses; returns them. */
export function addressArguments(positionals: readonly string[], what = "give one address, ID@HOST:PORT"): string[] {
  if (positionals.length === 0) throw new CliError(what);
  return positionals.map((a) => peerAddressArgument(`the address ${a}`, a));
}

/** A checked positive integer height from `--name`. */
export function heightOption(value: string | boolean | undefined, name: string): bigint {
  if (typeof value !== "string" || !/^\d+$/.test(value) || BigInt(value) < 1n) throw new CliError(`--${name} must be a height (a whole number from 1), got ${JSON.stringify(value ?? "")}`);
  return BigInt(value);
}

/** A started switch with a fresh key, declaring only `channels`, dialed to each of `addresses`. */
export async function connectTo(
  addresses: readonly string[],
  network: string,
  channels: readonly CometbftChannelDescriptor[],
  moniker: string,
): Promise<{ sw: Switch; peers: Peer[] }> {
  await checkResolvable("the address", addresses);
  const key = generateNodeKey();
  // Dial only: no listener, and NodeInfo's listen_addr is 0.0.0.0:0, which a CometBFT node's
  // address book refuses (an unspecified IP is not a valid address), so no node stores or gossips
  // an address where nothing listens.
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network, moniker, allowDuplicateIp: true });
  sw.addReactor(moniker, { channels: [...channels] });
  await sw.start();
  try {
    const peers = await Promise.all(
      addresses.map((address) =>
        sw.dial(address).catch((err: unknown) => {
          throw new CliError(`could not connect to ${address}: ${err instanceof Error ? err.message : String(err)}`, 1);
        }),
      ),
    );
    for (const peer of peers)
      for (const c of channels)
        if (!peer.hasChannel(c.id)) throw new CliError(`node ${peer.id} (${peer.nodeInfo.moniker}) does not offer channel 0x${c.id.toString(16).padStart(2, "0")} (${cometbftChannelName(c.id)})`, 1);
    return { sw, peers };
  } catch (err) {
    await sw.stop();
    throw err;
  }
}

/** `bytes` as uppercase hex, as CometBFT's RPC shows hashes and addresses. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();

/** Resolves after `seconds` (never, for `Infinity`) or when the process is asked to stop. */
export function runFor(seconds: number, stopped: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = Number.isFinite(seconds) ? setTimeout(resolve, seconds * 1000) : undefined;
    void stopped.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A node that left the switch, and why, in words. */
export interface LostNode {
  readonly peer: Peer;
  readonly why: string;
}

const why = (reason: CloseReason | undefined): string => (reason === undefined ? "ended" : reason.kind === "error" ? reason.error.message : reason.kind);

/**
 * Resolves once `peers` are lost: when the first of them has left the switch (`"any"`), or the
 * last (`"every"`), with that node and why it left (a peer already gone counts). Resolves
 * undefined if the switch stops with none lost; stays pending while they are connected.
 */
export function lostNodes(sw: Switch, peers: readonly Peer[], when: "any" | "every"): Promise<LostNode | undefined> {
  const left = (p: Peer) => sw.peers.get(p.id) !== p;
  const gone$ = merge(
    from(peers.filter(left).map((peer) => ({ peer, reason: peer.connection.closeReason }))),
    sw.peers$.pipe(
      filter((e) => e.type === "removed" && peers.includes(e.peer)),
      map((e) => ({ peer: e.peer, reason: e.type === "removed" ? e.reason : undefined })),
    ),
  );
  return firstValueFrom(
    gone$.pipe(
      filter(() => when === "any" || peers.every(left)),
      map(({ peer, reason }) => ({ peer, why: why(reason) })),
    ),
    { defaultValue: undefined },
  );
}
