/**
 * A CometBFT network of several validators on 127.0.0.1 for the interop tests: each node's home
 * initialised alone, then one genesis naming every node's validator written to all, each node
 * dialing the others as persistent peers. On v0.40, validators may sign with ML-DSA-65 keys.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cometBinary, cometVersion, freePort, initHome, startNode, type CometNode, type NodeOptions } from "./cometbft-node.js";

interface Genesis {
  chain_id: string;
  validators: { name?: string }[];
  consensus_params: { validator: { pub_key_types: string[] } };
}

/**
 * Builds (once, cached beside the cometbft binary) test/interop/mldsa-validator/main.go inside
 * the module source of the version under test, and returns its path. It gives a home an
 * ML-DSA-65 validator key (v0.40 on): `cometbft init` and `testnet` make only Ed25519 ones.
 */
export function mldsaValidatorTool(): string {
  const bin = join(dirname(cometBinary()), "rx-mconn-mldsa-validator");
  if (existsSync(bin)) return bin;
  const work = mkdtempSync(join(tmpdir(), "rx-mconn-mldsa-"));
  try {
    execFileSync(resolve("scripts/install-cometbft.sh"), ["--prepare", cometVersion, work], { stdio: ["ignore", "ignore", "inherit"] });
    mkdirSync(join(work, "cmd", "rx-mconn-mldsa-validator"));
    copyFileSync(resolve("test/interop/mldsa-validator/main.go"), join(work, "cmd", "rx-mconn-mldsa-validator", "main.go"));
    execFileSync("go", ["build", "-o", `${bin}.tmp`, "./cmd/rx-mconn-mldsa-validator"], { cwd: work, env: { ...process.env, GOWORK: "off" }, stdio: ["ignore", "ignore", "inherit"] });
    renameSync(`${bin}.tmp`, bin);
    return bin;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Options of {@link startNetwork}. */
export interface NetworkOptions extends Pick<NodeOptions, "consensus"> {
  /** The validators (by index) whose key is ML-DSA-65 instead of Ed25519 (v0.40 on). */
  readonly mldsa?: readonly number[];
}

/** Starts `n` validators sharing one genesis (chain id `chainId`); resolves once the network made a block. */
export async function startNetwork(n: number, chainId: string, { mldsa = [], ...options }: NetworkOptions = {}): Promise<CometNode[]> {
  const homes = Array.from({ length: n }, () => initHome());
  for (const i of mldsa) execFileSync(mldsaValidatorTool(), [homes[i]], { stdio: "ignore" });
  const ids = homes.map((home) => execFileSync(cometBinary(), ["show-node-id", "--home", home], { encoding: "utf8" }).trim());
  const ports = await Promise.all(homes.map(() => freePort()));
  const genesisOf = (home: string) => JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8")) as Genesis;
  const genesis = genesisOf(homes[0]);
  genesis.chain_id = chainId;
  genesis.validators = homes.flatMap((home, i) => genesisOf(home).validators.map((v) => ({ ...v, name: `validator-${i}` })));
  if (mldsa.length > 0) genesis.consensus_params.validator.pub_key_types = ["ed25519", "ml_dsa_65"];
  for (const home of homes) writeFileSync(join(home, "config", "genesis.json"), JSON.stringify(genesis, null, 2));
  const nodes: CometNode[] = [];
  try {
    for (const [i, home] of homes.entries()) {
      const peers = ids.flatMap((id, j) => (j === i ? [] : [`${id}@127.0.0.1:${ports[j]}`])).join(",");
      nodes.push(await startNode({ home, p2pPort: ports[i], moniker: `validator-${i}`, persistentPeers: peers, pex: false, waitForFirstBlock: false, ...options }));
    }
    // Every validator commits the second block: a node that failed to start (its port taken, say)
    // shows here with its log, not later as a validator missing from the votes.
    await Promise.all(nodes.map((node, i) => node.waitForLog(/(finalizing commit of block|Committed state).*height=2\b|height=3/, 90_000, `validator ${i}'s second block`)));
    return nodes;
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw err;
  }
}
