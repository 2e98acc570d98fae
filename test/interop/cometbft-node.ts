/**
 * Runs a real CometBFT node (single validator, built-in kvstore app) on 127.0.0.1 for the
 * interop tests: a throw-away home, P2P and RPC on free loopback ports, its log kept in memory.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cometbftLine, type CometbftLine } from "../../src/cometbft/lines.js";

/** The pinned versions (test/interop/cometbft-versions.txt): `[version, "full" | "short"]`. */
export const pinnedVersions: readonly (readonly [string, string])[] = readFileSync(resolve(import.meta.dirname, "cometbft-versions.txt"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => l.split(/\s+/) as [string, string]);

/** The version under test: `COMETBFT_VERSION` or the first pinned version with the full suite. */
export const cometVersion = process.env["COMETBFT_VERSION"] ?? pinnedVersions.find(([, suite]) => suite === "full")![0];

/** The line of the version under test. */
export const cometLine: CometbftLine = cometbftLine(cometVersion) ?? (() => { throw new Error(`COMETBFT_VERSION ${cometVersion} is not a CometBFT line rx-mconn knows`); })();

/** Builds (once, cached) and returns the path of the cometbft binary. */
export function cometBinary(version = cometVersion): string {
  return execFileSync(resolve(process.cwd(), "scripts/install-cometbft.sh"), [version], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** The first port of the kernel's ephemeral range (what outgoing connections take their local port from). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1, below the ephemeral range and not handed out before by this
 * process. A port from the ephemeral range can be taken, between this check and the node's
 * bind, as the local port of a connection another node dials (a persistent peer not started
 * yet), and the node then fails to listen.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow();
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    const server = createServer();
    const bound = await new Promise<boolean>((r) => {
      server.once("error", () => r(false));
      server.listen(port, "127.0.0.1", () => r(true));
    });
    if (!bound) continue;
    await new Promise<void>((r) => server.close(() => r()));
    handedOut.add(port);
    return port;
  }
}

/** Options of {@link startNode}. */
export interface NodeOptions {
  readonly moniker?: string;
  readonly pex?: boolean;
  /** `ID@host:port` peers the node keeps dialing. */
  readonly persistentPeers?: string;
  /** The chain id written into the fresh genesis (default: the random one `init` picks). */
  readonly chainId?: string;
  /** `log_level`, e.g. `"p2p:debug,*:info"` (default `"info"`). */
  readonly logLevel?: string;
  /** Extra `[p2p]` settings, e.g. `{ flush_throttle_timeout: '"10ms"' }` (values as TOML). */
  readonly p2p?: Record<string, string>;
  /** Extra `[consensus]` settings, e.g. `{ timeout_commit: '"100ms"' }` (values as TOML). */
  readonly consensus?: Record<string, string>;
  /** Extra `[mempool]` settings, e.g. `{ max_tx_bytes: "1000" }` (values as TOML). */
  readonly mempool?: Record<string, string>;
  /** A home already initialised (`cometbft init`), e.g. with a shared genesis; default: a fresh one. */
  readonly home?: string;
  /** The P2P port (default: a free one). */
  readonly p2pPort?: number;
  /** Whether to resolve only once the node made its first block (default true). */
  readonly waitForFirstBlock?: boolean;
  /** Files written into the home after `init`, by path relative to it (e.g. `config/addrbook.json`). */
  readonly files?: Record<string, string>;
}

/** A running node. */
export interface CometNode {
  readonly id: string;
  readonly chainId: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly home: string;
  /** `ID@127.0.0.1:port`. */
  readonly address: string;
  /** Everything the node logged so far. */
  log(): string;
  /** Resolves with the first log line matching `pattern`, within `ms`. */
  waitForLog(pattern: RegExp, ms: number, what: string): Promise<string>;
  /** Calls an RPC method (GET /method). */
  rpc<T = unknown>(method: string): Promise<T>;
  /** Stops the node (SIGTERM, then SIGKILL) and deletes its home (kept with `keepHome`, for reading its files). */
  stop(keepHome?: boolean): Promise<void>;
}

function setKey(toml: string, section: string, key: string, value: string): string {
  const start = section === "" ? 0 : toml.indexOf(`\n[${section}]`);
  if (start < 0) throw new Error(`config.toml has no [${section}] section`);
  const end = toml.indexOf("\n[", start + 1);
  const body = toml.slice(start, end < 0 ? undefined : end);
  const line = new RegExp(`^${key} = .*$`, "m");
  if (!line.test(body)) throw new Error(`config.toml has no ${key} in [${section}]`);
  return toml.slice(0, start) + body.replace(line, `${key} = ${value}`) + (end < 0 ? "" : toml.slice(end));
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

/** A fresh home initialised by `cometbft init` (one validator, its own genesis). */
export function initHome(): string {
  const home = mkdtempSync(join(tmpdir(), "rx-mconn-cometbft-"));
  execFileSync(cometBinary(), ["init", "--home", home], { stdio: "ignore" });
  return home;
}

/** Initialises a home, configures loopback ports and starts the node; resolves once it makes blocks. */
export async function startNode(options: NodeOptions = {}): Promise<CometNode> {
  const bin = cometBinary();
  const home = options.home ?? initHome();
  const p2pPort = options.p2pPort ?? (await freePort());
  const rpcPort = await freePort();
  const file = join(home, "config", "config.toml");
  let toml = readFileSync(file, "utf8");
  toml = setKey(toml, "", "moniker", JSON.stringify(options.moniker ?? "cometbft-interop"));
  toml = setKey(toml, "", "proxy_app", '"kvstore"');
  if (options.logLevel !== undefined) toml = setKey(toml, "", "log_level", JSON.stringify(options.logLevel));
  toml = setKey(toml, "rpc", "laddr", `"tcp://127.0.0.1:${rpcPort}"`);
  toml = setKey(toml, "p2p", "laddr", `"tcp://127.0.0.1:${p2pPort}"`);
  toml = setKey(toml, "p2p", "external_address", `"127.0.0.1:${p2pPort}"`);
  toml = setKey(toml, "p2p", "addr_book_strict", "false");
  toml = setKey(toml, "p2p", "allow_duplicate_ip", "true");
  toml = setKey(toml, "p2p", "pex", options.pex === false ? "false" : "true");
  if (options.persistentPeers !== undefined) toml = setKey(toml, "p2p", "persistent_peers", JSON.stringify(options.persistentPeers));
  for (const [k, v] of Object.entries(options.p2p ?? {})) toml = setKey(toml, "p2p", k, v);
  for (const [k, v] of Object.entries(options.consensus ?? {})) toml = setKey(toml, "consensus", k, v);
  for (const [k, v] of Object.entries(options.mempool ?? {})) toml = setKey(toml, "mempool", k, v);
  writeFileSync(file, toml);
  for (const [path, text] of Object.entries(options.files ?? {})) writeFileSync(join(home, path), text);
  const id = execFileSync(bin, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
  const genesisFile = join(home, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(genesisFile, "utf8")) as { chain_id: string };
  if (options.chainId !== undefined) {
    genesis.chain_id = options.chainId;
    writeFileSync(genesisFile, JSON.stringify(genesis, null, 2));
  }
  const chainId = genesis.chain_id;

  const child = spawn(bin, ["start", "--home", home], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));

  const node: CometNode = {
    id,
    chainId,
    p2pPort,
    rpcPort,
    home,
    address: `${id}@127.0.0.1:${p2pPort}`,
    log: () => output,
    waitForLog: (pattern, ms, what) =>
      new Promise<string>((resolvePromise, reject) => {
        const check = () => {
          const m = output.split("\n").find((l) => pattern.test(l));
          if (m !== undefined) {
            done();
            resolvePromise(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`CometBFT ${cometVersion}: no log line for ${what} (${pattern}) within ${ms} ms; last log lines:\n${output.split("\n").slice(-15).join("\n")}`));
        }, ms);
        let waiting = true;
        const done = () => {
          waiting = false;
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exited.then(() => {
          if (!waiting) return;
          done();
          reject(new Error(`CometBFT ${cometVersion}: the node exited (code ${String(child.exitCode)}) before a log line for ${what}; last log lines:\n${output.split("\n").slice(-15).join("\n")}`));
        });
        listeners.add(check);
        check();
      }),
    rpc: async <T>(method: string) => {
      const res = await fetch(`http://127.0.0.1:${rpcPort}/${method}`);
      const body = (await res.json()) as { result: T };
      return body.result;
    },
    stop: async (keepHome = false) => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      if (!keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
  if (options.waitForFirstBlock === false) return node;
  try {
    await node.waitForLog(/(finalizing commit of block|Committed state).*height=1\b|height=2/, 60_000, "the first block");
  } catch (err) {
    await node.stop();
    throw err;
  }
  return node;
}
