import { filter, firstValueFrom, take, toArray } from "rxjs";
import type { Reactor } from "../../src/p2p/reactor.js";
import { Switch, type PeerEvent, type SwitchOptions } from "../../src/p2p/switch.js";
import { generateNodeKey, type NodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import type { PexOptions } from "../../src/pex/pex-options.js";
import { Pex } from "../../src/pex/pex-service.js";
import { within } from "./tcp.js";

/**
 * What a switch needs when its peers all come from 127.0.0.1: several connections per IP, and
 * no per-host rate (tests of the per-host limits set their own).
 */
export const loopbackHostLimits = { allowDuplicateIp: true, maxHandshakesPerIp: 1024, newConnectionsPerIpPerSecond: 0 } as const;

/**
 * A switch on 127.0.0.1 with a fresh key (or `key`), SecretConnection, and the given reactors;
 * the per-host limits are {@link loopbackHostLimits} unless `options` says otherwise.
 */
export function makeSwitch(
  reactors: Record<string, Reactor>,
  options: Partial<SwitchOptions> & { key?: NodeKey; pex?: PexOptions } = {},
): { sw: Switch; key: NodeKey } {
  const { pex: pexOptions, ...rest } = options;
  const key = options.key ?? generateNodeKey();
  const pex = pexOptions === undefined ? undefined : new Pex(pexOptions);
  const sw = new Switch({
    nodeId: key.id,
    authenticate: secretAuthenticator(key),
    network: "test-net",
    listen: "127.0.0.1:0",
    ...loopbackHostLimits,
    ...rest,
    ...(pex === undefined ? {} : { discovery: pex }),
  });
  if (pex !== undefined) pexes.set(sw, pex);
  for (const [name, r] of Object.entries(reactors)) sw.addReactor(name, r);
  return { sw, key };
}

const pexes = new WeakMap<Switch, Pex>();

/** The {@link Pex} that {@link makeSwitch} handed to `sw` (made with its `pex` option). */
export function pexOf(sw: Switch): Pex {
  const pex = pexes.get(sw);
  if (pex === undefined) throw new Error(`${sw.nodeId.slice(0, 8)} was made without pex`);
  return pex;
}

/** Resolves with the next `n` peer events of `type` on `sw`, within `ms`. */
export function nextPeerEvents(sw: Switch, type: PeerEvent["type"], n: number, ms = 10_000): Promise<PeerEvent[]> {
  return within(firstValueFrom(sw.peers$.pipe(filter((e) => e.type === type), take(n), toArray())), ms, `${n} "${type}" event(s) on ${sw.nodeId.slice(0, 8)}`);
}
