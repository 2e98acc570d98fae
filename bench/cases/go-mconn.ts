/**
 * Go baselines of the bulk and priority-latency cases: the same workloads (each end in its own
 * process, TCP on 127.0.0.1, plain or over CometBFT's SecretConnection) between two CometBFT
 * MConnections (p2p/conn of v0.38.26), run by bench/go-mconn. The program is built with the machine's Go from the module
 * proxy into .cache/go-mconn/<hash of its sources>/, once per version of its sources. The first
 * build takes about a minute with empty Go caches (download and compile), about a second when
 * Go's build cache already holds CometBFT; later runs only hash the sources. Without Go the case
 * is skipped, with the reason.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonLines } from "../json-lines.js";
import type { LatencyReport } from "../latency-probe.js";
import { mbps } from "../measure.js";
import { stopChild } from "../remote.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const source = join(root, "bench/go-mconn");
const cache = join(root, ".cache/go-mconn");

/** Options of {@link goMconnBulk}. */
export interface GoMconnOptions {
  /**
   * `MConnConfig.FlushThrottle` of both ends, in milliseconds. Default 100, CometBFT's default
   * (the `flush_throttle_timeout` a node runs with); 1 leaves the tail of each burst waiting
   * at most 1 ms in the write buffer.
   */
  readonly flushThrottleMs?: number;
  /** Both MConnections over CometBFT's SecretConnection (`MakeSecretConnection`). */
  readonly secret?: boolean;
  /** Where the build announces itself and its duration. Default: the bench's progress format. */
  readonly progress?: (line: string) => void;
}

/** Digest of the program's sources (`*.go`, go.mod, go.sum): the binary's cache key. */
function sourceHash(): string {
  const h = createHash("sha256");
  for (const name of readdirSync(source).filter((n) => n.endsWith(".go") || n === "go.mod" || n === "go.sum").sort()) {
    h.update(`${name}\0`).update(readFileSync(join(source, name))).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

const binaryPath = () => join(cache, sourceHash(), "go-mconn");

/** Whether the binary for the current sources is already built (then a run costs no build). */
export function goMconnBuilt(): boolean {
  return existsSync(binaryPath());
}

/** Why Go can't build here, or undefined when it can. */
function goMissing(): string | undefined {
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  if (r.error) return `Go not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install it from https://go.dev to run the Go baseline`;
  if (r.status !== 0) return `\`go version\` failed: ${r.stderr.trim()}`;
  return undefined;
}

/**
 * The binary's path, building it first when the sources changed; `buildMs` when it was built.
 * The build uses the machine's Go (GOTOOLCHAIN=local) and go.sum as committed (-mod=readonly).
 */
export async function buildGoMconn(progress: (line: string) => void = () => {}): Promise<{ path: string; buildMs?: number } | { skipped: string }> {
  const path = binaryPath();
  if (existsSync(path)) return { path };
  const missing = goMissing();
  if (missing !== undefined) return { skipped: missing };
  const dir = join(path, "..");
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  progress("go-mconn: building the Go baseline (CometBFT v0.38.26 p2p/conn), once per version of bench/go-mconn");
  const started = performance.now();
  const child = spawn("go", ["build", "-mod=readonly", "-buildvcs=false", "-trimpath", "-o", partial, "."], {
    cwd: source,
    env: { ...process.env, GOTOOLCHAIN: "local" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.once("error", () => resolve(null));
    child.once("exit", (c) => resolve(c));
  });
  if (code !== 0 || !existsSync(partial)) {
    rmSync(partial, { force: true });
    return { skipped: `go build failed (exit ${code}): ${stderr.trim().split("\n").slice(-5).join(" | ")}` };
  }
  renameSync(partial, path);
  const buildMs = performance.now() - started;
  progress(`go-mconn: built in ${(buildMs / 1000).toFixed(1)} s`);
  // Binaries of earlier versions of the sources.
  for (const old of readdirSync(cache)) if (join(cache, old) !== dir) rmSync(join(cache, old), { recursive: true, force: true });
  return { path, buildMs };
}

/**
 * Runs a sink and a sender of the Go program (each in its own process), gives the sender its
 * go-ahead and returns the sink's report (the line with `reportKey`) and the time from the
 * go-ahead to it. The sender only ever exits on failure; `timeoutMs` bounds a run.
 */
async function run(bin: string, sink: string[], send: string[], reportKey: string, timeoutMs: number): Promise<{ report: unknown; ms: number }> {
  const children: ChildProcess[] = [];
  try {
    const sinkProcess = spawn(bin, sink, { stdio: ["ignore", "pipe", "inherit"] });
    children.push(sinkProcess);
    const fromSink = jsonLines(sinkProcess, "go-mconn sink");
    const { port } = await fromSink<{ port: number }>("port");
    const sender = spawn(bin, [...send, "-port", String(port)], { stdio: ["pipe", "pipe", "inherit"] });
    children.push(sender);
    const fromSender = jsonLines(sender, "go-mconn sender");
    await fromSender("ready");
    const done = fromSink<unknown>(reportKey);
    const start = performance.now();
    sender.stdin.write("go\n");
    const failed = fromSender<never>("never");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("go-mconn: no report from the sink in time")), timeoutMs);
    });
    const report = await Promise.race([done, failed, timeout]).finally(() => clearTimeout(timer));
    return { report, ms: performance.now() - start };
  } finally {
    // The sender first: the sink closing under it is then not reported as a failure.
    for (const c of children.reverse()) await stopChild(c);
  }
}

const benchProgress = (line: string) => console.log(`  … ${line}`);

/** The flags both ends share. */
const shared = (o: GoMconnOptions) => ["-flush", `${o.flushThrottleMs ?? 100}ms`, ...(o.secret === true ? ["-secret"] : [])];

/**
 * The bulk workload between two Go MConnections: `total` bytes as 1 MiB messages on channel 1,
 * SendRate and RecvRate 2^40 B/s (unlimited), send queue 4, over plain TCP or CometBFT's
 * SecretConnection; MB/s from the go-ahead to the sink's report, as the bulk case times ours.
 * Builds the program first if needed (the first time, see {@link goMconnBuilt}); a missing Go,
 * a failed build or a failed run give `skipped` with the reason instead of an error.
 */
export async function goMconnBulk(total: number, options: GoMconnOptions = {}): Promise<{ mbps: number } | { skipped: string }> {
  const built = await buildGoMconn(options.progress ?? benchProgress);
  if ("skipped" in built) return built;
  try {
    const totalFlag = ["-total", String(total)];
    // The slowest plausible run is 1 MB/s.
    const { ms } = await run(built.path, ["sink", ...totalFlag, ...shared(options)], ["send", ...totalFlag, ...shared(options)], "done", 60_000 + total / 1e3);
    return { mbps: mbps(total, ms) };
  } catch (e) {
    return { skipped: `go-mconn run failed: ${(e as Error).message}` };
  }
}

/**
 * The priority-latency workload between two Go MConnections (bench/go-mconn/latency.go):
 * `count` probes of 64 bytes every 10 ms on channel 5 (priority 5), with channels 1 and 4
 * saturated by 64 KiB messages when `bulk`.
 */
export async function goMconnLatency(count: number, bulk: boolean, options: GoMconnOptions = {}): Promise<LatencyReport | { skipped: string }> {
  const built = await buildGoMconn(options.progress ?? benchProgress);
  if ("skipped" in built) return built;
  try {
    const countFlag = ["-count", String(count)];
    const { report } = await run(
      built.path,
      ["latency-sink", ...countFlag, ...shared(options)],
      ["latency-send", ...countFlag, `-bulk=${bulk}`, ...shared(options)],
      "latencies",
      30_000 + count * 100,
    );
    return report as LatencyReport;
  } catch (e) {
    return { skipped: `go-mconn run failed: ${(e as Error).message}` };
  }
}
