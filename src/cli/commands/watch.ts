import { firstValueFrom, from, ignoreElements, map, merge, share, tap } from "rxjs";
import { consensusChannels } from "../../cometbft/channels.js";
import { consensusEvents$ } from "../../cometbft/consensus-events.js";
import { followRounds } from "../../cometbft/follow-rounds.js";
import { cometbftLine } from "../../cometbft/lines.js";
import { numberOption, requiredOption, type Command } from "../args.js";
import { addressArguments, connectTo, lostNodes, runFor } from "../cometbft-peer.js";
import { quietFor } from "../watch/quiet-for.js";
import { watchEventJson } from "../json/watch-json.js";
import { eventLine, RoundView } from "../watch/round-view.js";

/** `watch`: consensus as the P2P layer sees it, live. */
export const watch: Command = {
  summary: "watch a CometBFT network's consensus from the P2P layer: steps, proposals, votes, block parts",
  usage: "rx-mconn watch ID@HOST:PORT... --network CHAIN_ID [--json] [--seconds N] [--quiet N]",
  options: {
    network: { type: "string", arg: "CHAIN_ID", help: "the nodes' chain id", required: true },
    json: { type: "boolean", help: "print each event as one JSON line" },
    seconds: { type: "string", arg: "N", help: "how long to watch", defaultText: "until interrupted" },
    quiet: { type: "string", arg: "N", help: "give up (exit 1) after N seconds without a consensus event", defaultText: "60" },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const addresses = addressArguments(positionals);
    const network = requiredOption(values, "network", "CHAIN_ID");
    const seconds = values["seconds"] === undefined ? Infinity : numberOption(values, "seconds");
    const json = values["json"] === true;
    const quiet = values["quiet"] === undefined ? 60 : numberOption(values, "quiet");
    // Only the consensus channels: the nodes send us nothing else, and we send only our round steps.
    const { sw, peers } = await connectTo(addresses, network, consensusChannels("v1"), "rx-mconn-watch");
    try {
      if (!json) for (const p of peers) io.out(`connected to ${p.id} (${p.nodeInfo.moniker}), CometBFT ${p.nodeInfo.version} (${cometbftLine(p.nodeInfo.version) ?? "unknown line"})`);
      const view = new RoundView();
      const events$ = consensusEvents$(sw).pipe(share());
      const shown$ = merge(events$, followRounds(sw)).pipe(
        tap((e) => {
          const ms = view.sinceRoundStart(e);
          const closed = view.note(e, ms);
          if (json) io.out(JSON.stringify(watchEventJson(e, ms)));
          else {
            for (const line of closed) io.out(line);
            const line = eventLine(e, ms);
            if (line !== undefined) io.out(line);
          }
        }),
        ignoreElements(),
      );
      // Time up or interrupted (undefined), a node lost, nothing seen for --quiet seconds, or a
      // failure of the events (an error): all but the first exit 1.
      const silent$ = events$.pipe(quietFor(quiet * 1000), map((ms) => ({ silentFor: ms / 1000 })));
      const ended$ = merge(from(runFor(seconds, io.stopped)).pipe(map(() => undefined)), from(lostNodes(sw, peers, "any")), silent$);
      const outcome = await firstValueFrom(merge(shown$, ended$));
      if (!json) for (const line of view.flush()) io.out(line);
      if (outcome === undefined) return 0;
      io.err("silentFor" in outcome ? `rx-mconn watch: no consensus event in ${outcome.silentFor} s; the nodes may have halted, or what they send is ignored` : `rx-mconn watch: lost ${outcome.peer.id}: ${outcome.why}`);
      return 1;
    } finally {
      await sw.stop();
    }
  },
};
