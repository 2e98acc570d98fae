import { writeFile } from "node:fs/promises";
import { parseNetAddress } from "../../p2p/netaddress.js";
import { crawl, type CrawlProgress } from "../../pex/crawler.js";
import { isLoopback, parseIp } from "../../pex/ip.js";
import { checkResolvable, peerAddressArgument } from "../address-options.js";
import { checkWritableFile } from "../file-checks.js";
import { CliError, numberOption, requiredOption, stringOption, type Command } from "../args.js";
import { crawlSvg, crawlTable } from "../crawl-report.js";
import { crawlJson } from "../json/crawl-json.js";

/** `crawl`: maps a network over PEX from one or more seeds. */
export const crawlCommand: Command = {
  summary: "map a network over PEX from one or more seeds: every node's NodeInfo and who told us of it",
  usage: "rx-mconn crawl ID@HOST:PORT... --network CHAIN_ID [options]",
  options: {
    network: { type: "string", arg: "CHAIN_ID", help: "the chain id the nodes are on", required: true },
    concurrency: { type: "string", arg: "N", help: "nodes dialed at once", default: "16" },
    seconds: { type: "string", arg: "N", help: "time limit of the whole crawl", default: "60" },
    "answer-seconds": { type: "string", arg: "N", help: "how long to wait for a node's addresses", default: "10" },
    json: { type: "boolean", help: "print the nodes as JSON instead of a table" },
    svg: { type: "string", arg: "FILE", help: "also draw the network to FILE (nodes by version, edges 'told us of')", defaultText: "none" },
    "loopback-only": { type: "boolean", help: "dial only 127.0.0.0/8 and ::1 (other addresses are listed, never dialed)" },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    if (positionals.length === 0) throw new CliError("give at least one seed, ID@HOST:PORT");
    const seeds = positionals.map((p) => parseNetAddress(peerAddressArgument("a seed", p)));
    const network = requiredOption(values, "network", "CHAIN_ID");
    const concurrency = numberOption(values, "concurrency");
    const seconds = numberOption(values, "seconds");
    const answerSeconds = numberOption(values, "answer-seconds");
    if (!Number.isInteger(concurrency)) throw new CliError("--concurrency must be a whole number of at least 1");
    const svg = stringOption(values, "svg");
    if (svg !== undefined) await checkWritableFile("--svg", svg);
    await checkResolvable("a seed", positionals);
    const loopbackOnly = values["loopback-only"] === true;
    const stop = new AbortController();
    void io.stopped.then(() => stop.abort());
    const line = (p: CrawlProgress) => `found ${p.found}  reached ${p.reached}  failed ${p.failed}  queue ${p.queue}  dialing ${p.inFlight}`;
    let last = "";
    let lastAt = 0;
    let latest: CrawlProgress | undefined;
    const nodes = await crawl(seeds, {
      network,
      concurrency,
      timeLimit: seconds * 1000,
      answerTimeout: answerSeconds * 1000,
      signal: stop.signal,
      ...(loopbackOnly ? { dialFilter: (a) => isLoopback(parseIp(a.host) ?? new Uint8Array(16)) } : {}),
      onProgress: (p) => {
        latest = p;
        const text = line(p);
        if (text === last || performance.now() - lastAt < 250) return;
        lastAt = performance.now();
        io.err((last = text));
      },
    });
    if (latest !== undefined && line(latest) !== last) io.err(line(latest));
    if (values["json"] === true) io.out(JSON.stringify(crawlJson(nodes), null, 2));
    else for (const l of crawlTable(nodes)) io.out(l);
    if (svg !== undefined)
      await writeFile(svg, crawlSvg(nodes)).catch((err: unknown) => {
        throw new CliError(`--svg ${svg}: ${err instanceof Error ? err.message : String(err)}`, 1);
      });
    return nodes.some((n) => n.status === "reached") ? 0 : 1;
  },
};
