/**
 * Metrics across churn: peers with fresh keys connecting, sending and leaving. The registry
 * stays the size it has with the peers that are connected, and every byte a peer sent before
 * leaving is counted.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { filter, firstValueFrom } from "rxjs";
import { switchMetrics } from "../../src/metrics/switch-metrics.js";
import type { Switch } from "../../src/p2p/switch.js";
import { generateNodeKey, type NodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const channels = [{ id: 0x40, recvMessageCapacity: 4096 }];
const PEERS = 1000;
const AT_ONCE = 10;
/** Handshakes may take long on a busy machine: what is measured here is the metrics. */
const slowMachine = (key: NodeKey) => ({ key, authenticate: secretAuthenticator(key, { timeout: 60_000 }), handshakeTimeout: 60_000 });

/** The sum of every `<name>{peer_id=…}` sample in a scrape. */
function total(text: string, name: string): number {
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, "gm"))) n += Number(m[1]);
  return n;
}

describe("metrics across churn", function () {
  this.timeout(300_000);
  let sw: Switch;
  afterEach(async () => {
    await sw.stop();
  });

  it(`${PEERS} peers with fresh keys connecting, sending and leaving: /metrics stays flat, and every byte is counted`, async () => {
    ({ sw } = makeSwitch({ chat: { channels } }, slowMachine(generateNodeKey())));
    const metrics = switchMetrics(sw, { namespace: "t" });
    await sw.start();
    const scrape = () => metrics.registry.metrics();
    const empty = (await scrape()).length;
    const sizes: number[] = [];
    let sent = 0;
    let counted = 0; // what scrapes showed of departed peers, summed as they went
    for (let done = 0; done < PEERS; done += AT_ONCE) {
      const batch = await Promise.all(
        Array.from({ length: AT_ONCE }, async () => {
          const { sw: peer } = makeSwitch({ chat: { channels } }, { listen: undefined, ...slowMachine(generateNodeKey()) });
          await peer.start();
          const arrived = firstValueFrom(sw.channel(0x40).messages$.pipe(filter((e) => e.peer.id === peer.nodeId)));
          const p = await peer.dial(sw.address!);
          await p.send(0x40, new Uint8Array(100 + (done % 7)));
          sent += 100 + (done % 7);
          await within(arrived, 60_000, "the message");
          return peer;
        }),
      );
      const removed = nextPeerEvents(sw, "removed", AT_ONCE, 60_000);
      await Promise.all(batch.map((p) => p.stop()));
      await removed;
      // the scrape after they left shows their final bytes; the next one no longer lists them
      counted += total(await scrape(), "t_p2p_peer_receive_bytes_total");
      const after = await scrape();
      expect(total(after, "t_p2p_peer_receive_bytes_total"), "departed peers' series removed").to.equal(0);
      sizes.push(after.length);
    }
    await writeMetricsFigure({ peers: PEERS, emptyBytes: empty, afterEachBatch: [sizes[0], sizes.at(-1), Math.max(...sizes)] });
    expect(counted, "bytes counted per peer").to.equal(sent);
    expect(total(await scrape(), "t_p2p_message_receive_bytes_total"), "bytes counted per message type").to.equal(sent);
    expect(Math.max(...sizes), "scrape size after churn").to.be.at.most(empty + 1024);
  });
});

async function writeMetricsFigure(figure: Record<string, unknown>): Promise<void> {
  await mkdir("test/adversarial/results", { recursive: true });
  await writeFile("test/adversarial/results/metrics-churn.json", `${JSON.stringify(figure, null, 2)}\n`);
}
