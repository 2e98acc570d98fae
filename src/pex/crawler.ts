/**
 * A network crawler: from one or more seeds, dial every node it hears of (at most `concurrency`
 * at once, within `timeLimit`), read its NodeInfo, send one `PexRequest`, wait for the answer
 * (at most `answerTimeout`), and disconnect. It sends nothing but PEX requests and keepalive;
 * requests from the nodes are not answered. Addresses refused by `dialFilter` are recorded, never
 * dialed.
 * @module
 */
import { silentLogger, type Logger } from "../logger.js";
import { generateNodeKey } from "../secret/node-key.js";
import { secretAuthenticator } from "../p2p/secret-authenticator.js";
import { Switch } from "../p2p/switch.js";
import { formatNetAddress, toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import type { NodeInfo } from "../p2p/node-info.js";
import type { Envelope } from "../p2p/reactor.js";
import type { Message as PexMessage } from "../proto/tendermint/p2p/pex.js";
import { fromProtoAddress } from "./pex-addresses.js";
import { pexChannel, pexCodec } from "./pex-reactor.js";
import type { DialFilter } from "./pex-dialer.js";

/** What the crawl learnt of one node. */
export interface CrawledNode {
  readonly id: string;
  /** `ID@host:port` we dialed (or would have). */
  readonly address: string;
  /** `reached` (NodeInfo read), `failed` (dial or handshake failed), `filtered` (not dialed), `pending` (time ran out). */
  status: "reached" | "failed" | "filtered" | "pending";
  /** What the node said of itself, once reached. */
  nodeInfo?: NodeInfo;
  /** The node kept the connection until it answered or the answer timed out. */
  accepted: boolean;
  /** From dial to NodeInfo exchanged, ms. */
  handshakeMs?: number;
  /** Valid addresses it gave in its answer (undefined: no answer). */
  answered?: number;
  /** Addresses in its answer that did not parse (ID, IP or port), dropped (undefined: no answer). */
  invalid?: number;
  /** Why it failed or closed early. */
  error?: string;
  /** One of the seeds the crawl started from. */
  readonly seed: boolean;
  /** IDs of the nodes that told us of it. */
  readonly toldBy: string[];
}

/** A node's answer: the addresses that parsed, and how many did not. */
interface Answer {
  readonly addrs: NetAddress[];
  readonly invalid: number;
}

/** Counts for a progress line. */
export interface CrawlProgress {
  readonly found: number;
  readonly reached: number;
  readonly failed: number;
  readonly queue: number;
  readonly inFlight: number;
}

/** Options of {@link crawl}. */
export interface CrawlOptions {
  /** The chain id nodes must be on (NodeInfo `network`). */
  readonly network: string;
  /** Dials at once (default 16). */
  readonly concurrency?: number;
  /** The whole crawl, ms (default 60 000). */
  readonly timeLimit?: number;
  /** How long to wait for a node's answer, ms (default 10 000). */
  readonly answerTimeout?: number;
  /** Only addresses it accepts are dialed; one it throws on is `filtered`, with the throw as its `error`. */
  readonly dialFilter?: DialFilter;
  /** Called on every change of the counts; a throw is logged and the crawl goes on. */
  readonly onProgress?: (progress: CrawlProgress) => void;
  /** Where a throwing `onProgress` is told (default silent). */
  readonly logger?: Logger;
  /** Cancels the crawl (what was learnt is returned). */
  readonly signal?: AbortSignal;
}

/**
 * Crawls from `seeds` (`ID@host:port` or parsed); resolves with every node found, seeds first.
 * @throws {NetAddressError} (a rejection, before anything is dialed) when a seed does not parse.
 */
export async function crawl(seeds: readonly NetAddressLike[], options: CrawlOptions): Promise<CrawledNode[]> {
  const seedAddresses = seeds.map(toNetAddress);
  const key = generateNodeKey();
  const answers = new Map<string, (answer: Answer) => void>();
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: options.network, moniker: "rx-mconn-crawler", allowDuplicateIp: true });
  sw.addReactor("crawler", {
    channels: [pexChannel],
    receive({ peer, message }: Envelope<unknown>) {
      const sum = (message as PexMessage).sum;
      if (sum?.$case !== "pexAddrs") return;
      const parsed = sum.value.addrs.map(fromProtoAddress);
      const addrs = parsed.filter((a): a is NetAddress => typeof a !== "string");
      answers.get(peer.id)?.({ addrs, invalid: parsed.length - addrs.length });
    },
  });
  await sw.start();
  try {
    return await run(sw, seedAddresses, options, answers);
  } finally {
    await sw.stop();
  }
}

/** The crawl proper, on a started switch. */
async function run(sw: Switch, seeds: readonly NetAddress[], options: CrawlOptions, answers: Map<string, (answer: Answer) => void>): Promise<CrawledNode[]> {
  const logger = options.logger ?? silentLogger;
  const nodes = new Map<string, CrawledNode>();
  const queue: CrawledNode[] = [];
  let inFlight = 0;
  const progress = () => {
    if (options.onProgress === undefined) return;
    const all = [...nodes.values()];
    try {
      options.onProgress({
        found: all.length,
        reached: all.filter((n) => n.status === "reached").length,
        failed: all.filter((n) => n.status === "failed").length,
        queue: queue.length,
        inFlight,
      });
    } catch (err) {
      logger.warn({ err: String(err) }, "onProgress threw; the crawl goes on");
    }
  };
  const accepted = (node: CrawledNode, a: NetAddress): boolean => {
    if (options.dialFilter === undefined) return true;
    try {
      return options.dialFilter(a);
    } catch (err) {
      node.error = `the dial filter threw: ${err instanceof Error ? err.message : String(err)}`;
      return false;
    }
  };
  const found = (a: NetAddress, from: string | undefined) => {
    const known = nodes.get(a.id);
    if (known !== undefined) {
      if (from !== undefined && !known.toldBy.includes(from) && from !== a.id) known.toldBy.push(from);
      return;
    }
    if (a.id === sw.nodeId) return;
    const node: CrawledNode = { id: a.id, address: formatNetAddress(a), status: "pending", accepted: false, seed: from === undefined, toldBy: from === undefined ? [] : [from] };
    nodes.set(a.id, node);
    if (!accepted(node, a)) node.status = "filtered";
    else queue.push(node);
  };
  const deadline = AbortSignal.any([AbortSignal.timeout(options.timeLimit ?? 60_000), ...(options.signal ? [options.signal] : [])]);
  const visit = async (node: CrawledNode) => {
    const started = performance.now();
    try {
      const peer = await sw.dial(node.address, { signal: deadline });
      node.handshakeMs = Math.round(performance.now() - started);
      node.status = "reached";
      node.nodeInfo = peer.nodeInfo;
      node.accepted = true;
      const answer = await new Promise<Answer | string>((resolve) => {
        const timer = setTimeout(() => resolve("no answer"), options.answerTimeout ?? 10_000);
        const done = (v: Answer | string) => {
          clearTimeout(timer);
          deadline.removeEventListener("abort", onAbort);
          resolve(v);
        };
        const onAbort = () => done("time limit");
        deadline.addEventListener("abort", onAbort);
        answers.set(peer.id, done);
        peer.ended$.subscribe((r) => done(r.kind === "error" ? r.error.message : `closed (${r.kind})`));
        peer.trySend(pexChannel.id, pexCodec.encode({ sum: { $case: "pexRequest", value: {} } }));
      });
      answers.delete(peer.id);
      if (typeof answer === "string") {
        node.error = answer;
        node.accepted = answer === "no answer" || answer === "time limit";
      } else {
        node.answered = answer.addrs.length;
        node.invalid = answer.invalid;
        for (const a of answer.addrs) found(a, node.id);
      }
      await sw.stopPeerGracefully(peer).catch(() => undefined);
    } catch (err) {
      if (node.status !== "reached") node.status = deadline.aborted ? "pending" : "failed";
      node.error = err instanceof Error ? err.message : String(err);
    }
  };
  for (const s of seeds) found(s, undefined);
  progress();
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (!deadline.aborted && inFlight < (options.concurrency ?? 16) && queue.length > 0) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while the queue is not empty
        const node = queue.shift()!;
        inFlight++;
        progress();
        void visit(node).finally(() => {
          inFlight--;
          progress();
          pump();
        });
      }
      if (inFlight === 0 && (queue.length === 0 || deadline.aborted)) resolve();
    };
    pump();
  });
  return [...nodes.values()];
}
