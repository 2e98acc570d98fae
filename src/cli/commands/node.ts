import { NodeInfoError } from "../../p2p/errors.js";
import { BLOCK_PROTOCOL, P2P_PROTOCOL, validateNodeInfo } from "../../p2p/node-info.js";
import { Switch } from "../../p2p/switch.js";
import { Pex } from "../../pex/pex-service.js";
import { loadOrGenerateNodeKey } from "../../secret/node-key.js";
import { secretAuthenticator } from "../../p2p/secret-authenticator.js";
import { checkResolvable, hostPortOption, peerListOption } from "../address-options.js";
import { CliError, numberOption, requiredOption, stringOption, type Command } from "../args.js";
import { parseChannels } from "../channels-option.js";
import { Echo } from "../echo.js";
import { checkReadableFile, checkWritableDir, MAX_ADDR_BOOK_BYTES, MAX_NODE_KEY_BYTES, readNodeKeyFile } from "../file-checks.js";
import type { MemoryBudgetError } from "../../mconn/errors.js";
import { addrBookPath, ensureConfigDir, homeDir, homeOption, nodeKeyPath } from "../home.js";
import { formatNetAddress } from "../../p2p/netaddress.js";
import { limitOptions, limitSwitchOptions } from "../limit-options.js";
import { loadMetrics } from "../metrics-loader.js";
import { cliLogger, loggingOptions } from "../logger.js";

/** `node`: a long-running node; with `--echo`, a test peer for other implementations. */
export const node: Command = {
  summary: "run a node: listen, dial peers, log peer events; --echo sends every message back",
  usage: "rx-mconn node --listen HOST:PORT [options]",
  options: {
    listen: { type: "string", arg: "HOST:PORT", help: "where to accept peers (port 0: any free port)", required: true },
    peers: { type: "string", arg: "ID@HOST:PORT,...", help: "persistent peers to dial and redial", defaultText: "none" },
    network: { type: "string", arg: "NAME", help: "the network (chain id) peers must share", default: "rx-mconn" },
    channels: { type: "string", arg: "ID:PRIORITY,...", help: "the channels to open (ids 0-255, decimal or 0x-hex)", default: "0x40:1" },
    moniker: { type: "string", arg: "NAME", help: "the name in our NodeInfo", default: "rx-mconn-node" },
    echo: { type: "boolean", help: "send every message back to its sender on its channel, waiting for room" },
    "allow-duplicate-ip": { type: "boolean", help: "accept more than one inbound connection from one IP address" },
    "echo-buffer": { type: "string", arg: "BYTES", help: "with --echo: bytes held per peer while waiting for room, drawn from --max-receive-buffer; beyond, messages are dropped and counted", default: String(16 * 1024 * 1024) },
    metrics: { type: "string", arg: "HOST:PORT", help: "serve Prometheus metrics at http://HOST:PORT/metrics", defaultText: "off" },
    pex: { type: "boolean", help: "discover peers over PEX (channel 0x00), keeping an address book in HOME/config/addrbook.json" },
    "seed-mode": { type: "boolean", help: "run a seed: answer each peer's PEX request once, disconnect it, crawl the address book (implies --pex)" },
    seeds: { type: "string", arg: "ID@HOST:PORT,...", help: "with --pex: seeds to ask for addresses when the book is empty", defaultText: "none" },
    "allow-local": { type: "boolean", help: "with --pex: keep local and private addresses in the book (CometBFT's addr_book_strict = false)" },
    ...limitOptions,
    home: homeOption,
    ...loggingOptions,
  },
  async run(values, _positionals, io) {
    // Every option is checked before the node key is read or written.
    const listen = hostPortOption("listen", requiredOption(values, "listen", "HOST:PORT"));
    const peers = peerListOption("peers", stringOption(values, "peers") ?? "");
    const seedMode = values["seed-mode"] === true;
    const pex = seedMode || values["pex"] === true;
    const seeds = peerListOption("seeds", stringOption(values, "seeds") ?? "");
    if (!pex && (seeds.length > 0 || values["allow-local"] === true)) throw new CliError("--seeds and --allow-local need --pex or --seed-mode");
    const metricsAt = values["metrics"] === undefined ? undefined : hostPortOption("metrics", requiredOption(values, "metrics", "HOST:PORT"));
    const channels = parseChannels(requiredOption(values, "channels", "ID:PRIORITY,..."));
    const network = requiredOption(values, "network", "NAME");
    const moniker = requiredOption(values, "moniker", "NAME");
    const echoBuffer = numberOption(values, "echo-buffer");
    if (!Number.isInteger(echoBuffer)) throw new CliError(`--echo-buffer must be a whole number of bytes, got ${JSON.stringify(values["echo-buffer"])}`);
    const limits = limitSwitchOptions(values);
    checkNodeInfo(listen, network, moniker, channels.map((c) => c.id));
    const log = cliLogger(values, io.err);
    const home = homeDir(stringOption(values, "home"));
    // Then the names resolve, the home can be written, the key and the book (if there) can be read.
    await checkResolvable("--listen", [listen]);
    await checkResolvable("--peers", peers);
    await checkResolvable("--seeds", seeds);
    if (metricsAt !== undefined) await checkResolvable("--metrics", [metricsAt]);
    await checkWritableDir("--home", home);
    const keyPath = nodeKeyPath(home);
    const existingKey = (await checkReadableFile("the node key", keyPath, MAX_NODE_KEY_BYTES, true)) ? await readNodeKeyFile("the node key", keyPath) : undefined;
    if (pex) await checkReadableFile("the address book", addrBookPath(home), MAX_ADDR_BOOK_BYTES, true);
    const metrics = metricsAt === undefined ? undefined : await loadMetrics();

    await ensureConfigDir(home);
    const key = existingKey ?? (await loadOrGenerateNodeKey(keyPath));
    const discovery = pex ? new Pex({ seedMode, strict: values["allow-local"] !== true, seeds, addrBookFile: addrBookPath(home), logger: log }) : undefined;
    const sw = new Switch({
      nodeId: key.id,
      authenticate: secretAuthenticator(key),
      network,
      moniker,
      listen,
      persistentPeers: peers,
      allowDuplicateIp: values["allow-duplicate-ip"] === true,
      ...limits,
      logger: log,
      ...(discovery === undefined ? {} : { discovery }),
    });
    discovery?.discovered$.subscribe(({ address, source }) => log.info({ addr: formatNetAddress(address), from: source.id }, "address discovered"));
    sw.addReactor("cli", { channels });
    const echo = values["echo"] === true ? new Echo(echoBuffer, log, { budget: sw.memoryBudget, onEvict: (peer, error) => stopEchoPeer(peer.id, error) }) : undefined;
    const stopEchoPeer = (id: string, error: MemoryBudgetError) => {
      const peer = sw.peers.get(id);
      if (peer !== undefined) sw.stopPeerForError(peer, error);
    };
    for (const c of channels)
      sw.channel(c.id).messages$.subscribe(({ peer, channelId, message }) => {
        log.debug({ peer: peer.id, channel: channelId, bytes: message.length }, "message");
        echo?.echo(peer, channelId, message);
      });
    // From here there is something to shut down: a signal stops the node rather than the process.
    const stopped = io.stopped;
    let stopMetrics: (() => Promise<void>) | undefined;
    if (metrics !== undefined && metricsAt !== undefined) {
      const served = await metrics.serveMetrics(metrics.switchMetrics(sw).registry, metricsAt);
      stopMetrics = served.close;
      log.info({ url: served.url }, "metrics");
    }
    await sw.start();
    log.info({ address: sw.address, network: sw.nodeInfo?.network, channels: channels.map((c) => c.id), echo: echo !== undefined, pex, seedMode }, "listening");
    await stopped;
    log.info("stopping");
    await sw.stop();
    await stopMetrics?.();
    log.info(echo === undefined ? {} : { echo: echo.counts }, "stopped");
    return 0;
  },
};

/** The NodeInfo rules our own options must meet (moniker, channel count), checked as a peer would. */
function checkNodeInfo(listen: string, network: string, moniker: string, channels: number[]): void {
  try {
    validateNodeInfo({
      protocolVersion: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: 0 },
      nodeId: "0".repeat(40),
      listenAddr: listen,
      network,
      version: "rx-mconn",
      channels: Uint8Array.from(channels),
      moniker,
      other: { txIndex: "off", rpcAddress: "" },
    });
  } catch (err) {
    if (err instanceof NodeInfoError) throw new CliError(`--${err.rule.startsWith("channels") ? "channels" : err.rule === "listen-addr" ? "listen" : err.rule}: ${err.message}`);
    throw err;
  }
}
