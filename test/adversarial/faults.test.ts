/**
 * Faults: a peer process killed (SIGKILL) in the middle of a large message.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { filter, firstValueFrom } from "rxjs";
import { freePort } from "../interop/cometbft-node.js";
import { nodeKeyFromSeed } from "../../src/secret/node-key.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const MESSAGE = 32 << 20; // 32 MiB at 4 MB/s: about 8 s to send

function startPeer(seed: string, port: number): { child: ChildProcess; listening: Promise<void>; sent: () => number } {
  const child = spawn(process.execPath, [...process.execArgv, "test/adversarial/fixtures/sending-peer.ts", seed, String(port), String(MESSAGE)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let sent = 0;
  const listening = new Promise<void>((resolve) => {
    child.stdout.on("data", (c: Buffer) => {
      for (const line of c.toString().split("\n")) {
        if (line.includes('"listening"')) resolve();
        const m = /"sent","bytes":(\d+)/.exec(line);
        if (m !== null) sent = Number(m[1]);
      }
    });
  });
  return { child, listening: within(listening, 20_000, "the peer process to listen"), sent: () => sent };
}

describe("faults", function () {
  this.timeout(90_000);

  it("a peer killed mid-message is removed with an error, nothing partial is delivered, and it is redialled when it comes back", async () => {
    const seed = randomBytes(32).toString("hex");
    const id = nodeKeyFromSeed(Buffer.from(seed, "hex")).id;
    const port = await freePort();
    const first = startPeer(seed, port);
    await first.listening;
    const { sw } = makeSwitch(
      { bulk: { channels: [{ id: 0x40, recvMessageCapacity: 64 << 20 }] } },
      { persistentPeers: [`${id}@127.0.0.1:${port}`], backoff: { steadyAttempts: 100, steadyInterval: 200, backoffAttempts: 0, backoffBaseSeconds: 3, jitter: 0 } },
    );
    const delivered: number[] = [];
    sw.channel(0x40).messages$.subscribe((e) => delivered.push(e.message.length));
    try {
      const added = nextPeerEvents(sw, "added", 1, 20_000);
      await sw.start();
      expect((await added)[0].peer.id).to.equal(id);
      const removed = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed")));
      // let a good part of the message go out (4 MB/s), then kill the sender in the middle of it
      await within(
        (async () => {
          while (first.sent() < 4 << 20) await new Promise((r) => setTimeout(r, 50));
        })(),
        20_000,
        "4 MiB of the message sent",
      );
      expect(first.sent(), "bytes sent before the kill").to.be.below(MESSAGE);
      first.child.kill("SIGKILL");
      await once(first.child, "exit");
      const e = await within(removed, 10_000, "the killed peer's removal");
      expect(e.reason.kind, JSON.stringify(e.reason)).to.equal("error");
      expect(delivered, "messages delivered from the killed peer").to.deep.equal([]);

      // it comes back on the same address: the switch redials it
      const again = nextPeerEvents(sw, "added", 1, 20_000);
      const second = startPeer(seed, port);
      await second.listening;
      const back = (await again)[0].peer;
      expect(back.id).to.equal(id);
      expect(back.isPersistent).to.equal(true);
      second.child.kill("SIGKILL");
    } finally {
      await sw.stop();
      first.child.kill("SIGKILL");
    }
  });
});
