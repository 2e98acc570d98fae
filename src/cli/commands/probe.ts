import { interval, Subject, takeUntil } from "rxjs";
import { COMETBFT_CHANNELS, cometbftChannelName } from "../../cometbft/channel-table.js";
import { generateNodeKey } from "../../secret/node-key.js";
import { secretAuthenticator } from "../../p2p/secret-authenticator.js";
import { Switch } from "../../p2p/switch.js";
import { checkResolvable, peerAddressArgument } from "../address-options.js";
import { bytes, CliError, numberOption, pad, requiredOption, type Command } from "../args.js";
import { lostNodes, runFor } from "../cometbft-peer.js";

/** `probe`: connects to a real CometBFT node and shows what it sends, per channel. */
export const probe: Command = {
  summary: "connect to a CometBFT node, print its NodeInfo and live per-channel traffic",
  usage: "rx-mconn probe ID@HOST:PORT --network CHAIN_ID [--seconds N]",
  options: {
    network: { type: "string", arg: "CHAIN_ID", help: "the node's chain id", required: true },
    seconds: { type: "string", arg: "N", help: "how long to watch", default: "10" },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const address = positionals.at(0);
    const extra = positionals.slice(1);
    if (address === undefined || extra.length > 0) throw new CliError("give exactly one address, ID@HOST:PORT");
    peerAddressArgument("the address", address);
    const network = requiredOption(values, "network", "CHAIN_ID");
    const seconds = numberOption(values, "seconds");
    await checkResolvable("the address", [address]);
    const key = generateNodeKey();
    const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network, moniker: "rx-mconn-probe" }); // dial only, as connectTo
    sw.addReactor("probe", { channels: COMETBFT_CHANNELS });
    const counts = new Map(COMETBFT_CHANNELS.map((c) => [c.id, { messages: 0, bytes: 0 }]));
    for (const c of COMETBFT_CHANNELS)
      sw.channel(c.id).messages$.subscribe(({ message }) => {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- counts holds every channel the probe declared
        const n = counts.get(c.id)!;
        n.messages++;
        n.bytes += message.length;
      });
    await sw.start();
    try {
      const peer = await sw.dial(address).catch((err: unknown) => {
        throw new CliError(`could not connect to ${address}: ${err instanceof Error ? err.message : String(err)}`, 1);
      });
      const info = peer.nodeInfo;
      io.out(`connected to ${peer.id} (${info.moniker}), CometBFT ${info.version}, network ${info.network}`);
      io.out(`  protocol p2p ${info.protocolVersion.p2p} block ${info.protocolVersion.block} app ${info.protocolVersion.app}`);
      io.out(`  listen ${info.listenAddr}, rpc ${info.other.rpcAddress || "-"}, tx index ${info.other.txIndex || "-"}`);
      io.out(`  channels ${[...info.channels].map(cometbftChannelName).join(", ")}`);
      io.out("messages received per channel since connecting (running totals):");
      const done = new Subject<void>();
      const connectedAt = performance.now();
      let second = 0;
      interval(1000)
        .pipe(takeUntil(done))
        .subscribe(() => {
          second++;
          const active = [...counts].filter(([, n]) => n.messages > 0).map(([id, n]) => `${cometbftChannelName(id)} ${n.messages}`);
          io.out(`${pad(second, 3)} s  ${active.join("  ") || "(nothing yet)"}`);
        });
      const lost = await Promise.race([runFor(seconds, io.stopped).then(() => undefined), lostNodes(sw, [peer], "any")]);
      const reason = lost?.why;
      done.next();
      io.out("");
      const elapsed = (performance.now() - connectedAt) / 1000;
      io.out(`summary after ${elapsed.toFixed(1)} s connected${reason === undefined ? "" : ` (peer lost: ${reason})`}`);
      io.out(`${"channel".padEnd(26)}${pad("messages", 10)}${pad("bytes", 12)}`);
      for (const c of COMETBFT_CHANNELS) {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- counts holds every channel the probe declared
        const n = counts.get(c.id)!;
        io.out(`${`0x${c.id.toString(16).padStart(2, "0")} ${c.name}`.padEnd(26)}${pad(n.messages, 10)}${pad(bytes(n.bytes), 12)}`);
      }
      return reason === undefined ? 0 : 1;
    } finally {
      await sw.stop();
    }
  },
};
