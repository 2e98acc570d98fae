import { loadOrGenerateNodeKey } from "../../secret/node-key.js";
import { secretAuthenticator } from "../../secret/secret-authenticator.js";
import { Switch } from "../../p2p/switch.js";
import { serveMetrics } from "../../metrics/serve-metrics.js";
import { switchMetrics } from "../../metrics/switch-metrics.js";
import { CliError, stringOption, type Command } from "../args.js";
import { parseChannels } from "../channels-option.js";
import { ensureConfigDir, homeDir, nodeKeyPath } from "../home.js";
import { cliLogger } from "../logger.js";

/** `node`: a long-running node; with `--echo`, a test peer for other implementations. */
export const node: Command = {
  summary: "run a node: listen, dial peers, log peer events; --echo sends every message back",
  usage:
    "rx-mconn node --listen HOST:PORT [--peers ID@HOST:PORT,...] [--network NAME] [--channels ID:PRIORITY,...]\n" +
    "              [--echo] [--allow-duplicate-ip] [--metrics HOST:PORT] [--log-format json|pretty] [--home DIR] [--moniker NAME]",
  options: {
    listen: { type: "string" },
    peers: { type: "string" },
    network: { type: "string" },
    channels: { type: "string" },
    echo: { type: "boolean" },
    "allow-duplicate-ip": { type: "boolean" },
    metrics: { type: "string" },
    "log-format": { type: "string" },
    home: { type: "string" },
    moniker: { type: "string" },
  },
  async run(values, _positionals, io) {
    const listen = stringOption(values["listen"]);
    if (listen === undefined) throw new CliError("--listen HOST:PORT is required");
    const log = cliLogger(stringOption(values["log-format"], "json"), io.err);
    const channels = parseChannels(stringOption(values["channels"], "0x40:1"));
    const peers = (stringOption(values["peers"]) ?? "").split(",").filter((p) => p !== "");
    const home = homeDir(stringOption(values["home"]));
    await ensureConfigDir(home);
    const key = await loadOrGenerateNodeKey(nodeKeyPath(home));
    const sw = new Switch({
      nodeId: key.id,
      authenticate: secretAuthenticator(key),
      network: stringOption(values["network"], "rx-mconn"),
      moniker: stringOption(values["moniker"], "rx-mconn-node"),
      listen,
      persistentPeers: peers,
      allowDuplicateIp: values["allow-duplicate-ip"] === true,
      logger: log,
    });
    sw.addReactor("cli", { channels });
    const echo = values["echo"] === true;
    for (const c of channels)
      sw.channel(c.id).messages$.subscribe(({ peer, channelId, message }) => {
        log.debug({ peer: peer.id, channel: channelId, bytes: message.length }, "message");
        if (echo) peer.send$.next({ channelId, message });
      });
    let stopMetrics: (() => Promise<void>) | undefined;
    const metricsAt = stringOption(values["metrics"]);
    if (metricsAt !== undefined) {
      const metrics = switchMetrics(sw);
      const served = await serveMetrics(metrics.registry, metricsAt);
      stopMetrics = served.close;
      log.info({ url: served.url }, "metrics");
    }
    await sw.start();
    log.info({ address: sw.address, network: sw.nodeInfo?.network, channels: channels.map((c) => c.id), echo }, "listening");
    await io.stopped;
    log.info("stopping");
    await sw.stop();
    await stopMetrics?.();
    log.info("stopped");
    return 0;
  },
};
