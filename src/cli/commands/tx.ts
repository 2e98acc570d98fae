import { createHash } from "node:crypto";
import { defaultIfEmpty, defer, filter, firstValueFrom, map, merge, mergeMap, of, take, timeout, toArray, type Observable } from "rxjs";
import { mempoolChannels } from "../../cometbft/channels.js";
import { submitTx } from "../../cometbft/submit-tx.js";
import type { Peer } from "../../p2p/peer.js";
import { CliError, numberOption, requiredOption, type Command } from "../args.js";
import { addressArguments, connectTo, hex } from "../cometbft-peer.js";
import { base64 } from "../json/encode.js";
import type { TxJson } from "../json/tx-json.js";

/** Emits true once `peer`'s connection wrote a message on the mempool channel, false after `ms` (or if it ends). */
function written$(peer: Peer, ms: number): Observable<boolean> {
  return peer.status$(20).pipe(
    map((s) => s.channels.find((c) => c.id === 0x30)?.sentMessages ?? 0),
    filter((n) => n > 0),
    map(() => true),
    timeout({ first: ms, with: () => [false] }),
    take(1),
    defaultIfEmpty(false),
  );
}

/** `tx`: one transaction over P2P, on the mempool channel. */
export const tx: Command = {
  summary: "submit a transaction to CometBFT nodes over P2P (mempool channel) and report which received it",
  usage: "rx-mconn tx ID@HOST:PORT... --network CHAIN_ID [--hex] [--json] DATA",
  options: {
    network: { type: "string", arg: "CHAIN_ID", help: "the nodes' chain id", required: true },
    hex: { type: "boolean", help: "DATA is hex (default: the UTF-8 bytes of DATA)" },
    json: { type: "boolean", help: "print the hash and each node's outcome as one JSON object" },
    timeout: { type: "string", arg: "SECONDS", help: "how long to wait for each node's connection to take the transaction", default: "10" },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    if (positionals.length < 2) throw new CliError("give the node's address, ID@HOST:PORT, then the transaction DATA");
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at least two positionals, checked above
    const data = positionals.at(-1)!;
    const addresses = addressArguments(positionals.slice(0, -1));
    const network = requiredOption(values, "network", "CHAIN_ID");
    const ms = numberOption(values, "timeout") * 1000;
    if (values["hex"] === true && !/^([0-9a-fA-F]{2})+$/.test(data)) throw new CliError(`DATA is not hex: ${JSON.stringify(data.slice(0, 40))}`);
    const bytes = values["hex"] === true ? Buffer.from(data, "hex") : Buffer.from(data, "utf8");
    if (bytes.length === 0) throw new CliError("DATA is empty");
    const { sw, peers } = await connectTo(addresses, network, mempoolChannels("v1"), "rx-mconn-tx");
    const json = values["json"] === true;
    // CometBFT names a transaction by the SHA-256 of its bytes (RPC /tx?hash=0x…, tx_hash in events).
    const hash = hex(createHash("sha256").update(bytes).digest());
    if (!json) io.out(`tx hash ${hash} (${bytes.length} bytes)`);
    try {
      const outcomes$ = submitTx(sw, bytes, { peers }).pipe(
        mergeMap((d, i) => (d.queued ? written$(d.peer, ms) : of(false)).pipe(map((sent) => ({ i, peer: d.peer, sent })))),
        toArray(),
        map((all) => all.sort((a, b) => a.i - b.i)),
      );
      // Every node heard of, or undefined when the process is asked to stop first.
      const outcomes = await firstValueFrom(merge(outcomes$, defer(() => io.stopped).pipe(map(() => undefined))));
      if (outcomes === undefined) throw new CliError("interrupted before every node's connection took the transaction", 1);
      const report: TxJson = { hash, tx: base64(bytes), nodes: outcomes.map(({ peer, sent }) => ({ id: peer.id, moniker: peer.nodeInfo.moniker, sent })) };
      if (json) io.out(JSON.stringify(report));
      else for (const { peer, sent } of outcomes) io.out(`${sent ? "sent to" : "NOT sent to"} ${peer.id} (${peer.nodeInfo.moniker}): ${bytes.length} bytes on channel 0x30`);
      const failed = outcomes.filter((o) => !o.sent).length;
      if (failed > 0) io.err(`rx-mconn tx: ${failed} of ${outcomes.length} node(s) did not take the transaction within ${ms / 1000} s`);
      return failed > 0 ? 1 : 0;
    } finally {
      await sw.stop();
    }
  },
};
