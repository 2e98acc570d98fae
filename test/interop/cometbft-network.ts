/**
 * A CometBFT network of several validators on 127.0.0.1 for the interop tests: each node's home
 * initialised alone, then one genesis naming every node's validator written to all, each node
 * dialing the others as persistent peers.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cometBinary, freePort, initHome, startNode, type CometNode, type NodeOptions } from "./cometbft-node.js";

interface Genesis {
  chain_id: string;
  validators: { name?: string }[];
}

/** Starts `n` validators sharing one genesis (chain id `chainId`); resolves once the network made a block. */
export async function startNetwork(n: number, chainId: string, options: Pick<NodeOptions, "consensus"> = {}): Promise<CometNode[]> {
  const homes = Array.from({ length: n }, () => initHome());
  const ids = homes.map((home) => execFileSync(cometBinary(), ["show-node-id", "--home", home], { encoding: "utf8" }).trim());
  const ports = await Promise.all(homes.map(() => freePort()));
  const genesisOf = (home: string) => JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8")) as Genesis;
  const genesis = genesisOf(homes[0]);
  genesis.chain_id = chainId;
  genesis.validators = homes.flatMap((home, i) => genesisOf(home).validators.map((v) => ({ ...v, name: `validator-${i}` })));
  for (const home of homes) writeFileSync(join(home, "config", "genesis.json"), JSON.stringify(genesis, null, 2));
  const nodes: CometNode[] = [];
  try {
    for (const [i, home] of homes.entries()) {
      const peers = ids.flatMap((id, j) => (j === i ? [] : [`${id}@127.0.0.1:${ports[j]}`])).join(",");
      nodes.push(await startNode({ home, p2pPort: ports[i], moniker: `validator-${i}`, persistentPeers: peers, pex: false, waitForFirstBlock: false, ...options }));
    }
    await nodes[0].waitForLog(/(finalizing commit of block|Committed state).*height=2\b|height=3/, 90_000, "the network's second block");
    return nodes;
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw err;
  }
}
