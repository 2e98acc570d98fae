import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defer, EMPTY, lastValueFrom, merge, mergeMap, takeUntil, tap, throwError } from "rxjs";
import { blocks$ } from "../../cometbft/blocks.js";
import { blocksyncChannels } from "../../cometbft/channels.js";
import { headerHash } from "../../cometbft/header-hash.js";
import { CliError, numberOption, requiredOption, type Command } from "../args.js";
import { checkWritableDir, makeDirs } from "../file-checks.js";
import { addressArguments, connectTo, heightOption, hex, lostNodes } from "../cometbft-peer.js";
import { blockJson } from "../json/block-json.js";

/** `blocks`: a range of blocks over blocksync, written as JSON, the hash chain checked. */
export const blocks: Command = {
  summary: "download blocks over blocksync, write each as RPC /block's JSON and check their hash chain",
  usage: "rx-mconn blocks ID@HOST:PORT... --network CHAIN_ID --from H --to H2 --out DIR",
  options: {
    network: { type: "string", arg: "CHAIN_ID", help: "the nodes' chain id", required: true },
    from: { type: "string", arg: "H", help: "the first height", required: true },
    to: { type: "string", arg: "H2", help: "the last height", required: true },
    out: { type: "string", arg: "DIR", help: "where to write <height>.json, as RPC /block returns it (created if missing)", required: true },
    timeout: { type: "string", arg: "SECONDS", help: "how long a node may take to answer one request", default: "15" },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const addresses = addressArguments(positionals);
    const network = requiredOption(values, "network", "CHAIN_ID");
    const from = heightOption(values["from"], "from");
    const to = heightOption(values["to"], "to");
    if (to < from) throw new CliError(`--to ${to} is below --from ${from}`);
    const out = requiredOption(values, "out", "DIR");
    const timeoutMs = numberOption(values, "timeout") * 1000;
    await checkWritableDir("--out", out);
    const { sw, peers } = await connectTo(addresses, network, blocksyncChannels("v1"), "rx-mconn-blocks");
    try {
      await makeDirs("--out", out, 0o777);
      io.out(`fetching blocks ${from}..${to} from ${peers.map((p) => `${p.id} (${p.nodeInfo.moniker})`).join(", ")}`);
      const total = Number(to - from + 1n);
      const started = Date.now();
      let done = 0;
      let lastReport = 0;
      let previous: { height: bigint; hash: Uint8Array } | undefined;
      const progress = () => {
        const width = 30;
        const filled = Math.round((done / total) * width);
        io.out(`[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} blocks, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      };
      const fetched = blocks$(sw, from, to, { timeoutMs }).pipe(
        tap(({ block }) => {
          const header = block?.header;
          if (block === undefined || header === undefined) throw new CliError(`a node sent a block without a header`, 1);
          const hash = headerHash(header);
          if (hash === undefined) throw new CliError(`block ${header.height} has no validators hash`, 1);
          const claimed = header.lastBlockId?.hash ?? new Uint8Array(0);
          if (previous !== undefined && !Buffer.from(previous.hash).equals(claimed))
            throw new CliError(`hash chain broken: block ${previous.height} hashes to ${hex(previous.hash)} but block ${header.height} names ${hex(claimed) || "none"} as its last block`, 1);
          previous = { height: header.height, hash };
          // What RPC /block?height=H returns: the same fields, names and encodings.
          const json = blockJson(block);
          writeFileSync(join(out, `${header.height}.json`), `${JSON.stringify(json, null, 1)}\n`);
          done++;
          if (Date.now() - lastReport >= 1000 || done === total) {
            lastReport = Date.now();
            progress();
          }
        }),
      );
      // blocks$ waits for a peer while it has none; with no node left to come back (they were
      // dialed once), that is the end. So is an interruption (SIGINT, SIGTERM).
      const noNodeLeft$ = defer(() => lostNodes(sw, peers, "every")).pipe(
        mergeMap((lost) => (lost === undefined ? EMPTY : throwError(() => new CliError(`lost every node: ${lost.peer.id}: ${lost.why}`, 1)))),
      );
      await lastValueFrom(fetched.pipe(takeUntil(merge(defer(() => io.stopped), noNodeLeft$))), { defaultValue: undefined }).catch((err: unknown) => {
        // A failed run says what it left behind.
        const wrote = done === 0 ? "wrote no block" : `wrote ${done} of ${total} blocks (${from}..${from + BigInt(done) - 1n}) to ${out}`;
        throw new CliError(`${err instanceof Error ? err.message : String(err)}; ${wrote}`, 1);
      });
      // blocks$ completes only after the last block: short of it, the run was interrupted.
      if (done < total) throw new CliError(`interrupted: wrote ${done} of ${total} blocks to ${out}`, 1);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- done equals total (> 0), so a block was written and previous is set
      io.out(`wrote ${total} blocks to ${out}; hash chain checked: each block's hash is the next block's last_block_id.hash (last: ${to} ${hex(previous!.hash)})`);
      return 0;
    } finally {
      await sw.stop();
    }
  },
};
