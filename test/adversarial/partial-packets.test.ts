/**
 * A partial packet sent as 1-byte sealed frames, by many peers at once: what the switch holds
 * for each is about the partial packet's own bytes, not one 1028-byte frame per byte.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Socket } from "node:net";
import type { Switch } from "../../src/p2p/switch.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { rawSecretPeer } from "../helpers/raw-secret-peer.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const PEERS = 38;
const PARTIAL = 1030; // a packet of 1030 bytes announced, all but its last byte sent

/** External memory (array buffers) after a full collection. */
function arrayBuffers(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

describe("partial packets in 1-byte frames", function () {
  this.timeout(120_000);
  let sw: Switch;
  const sockets: Socket[] = [];
  after(async () => {
    for (const s of sockets) s.destroy();
    await sw.stop();
  });

  it(`${PEERS} peers each holding a ${PARTIAL}-byte partial packet sent one byte per frame: about its own bytes each`, async () => {
    // no receive rate: the switch reads everything at once (the rate would only spread it out)
    ({ sw } = makeSwitch({ chat: { channels: [{ id: 0x40 }] } }, { mconnection: { recvRate: 0 } }));
    await sw.start();
    const added = nextPeerEvents(sw, "added", PEERS, 30_000);
    // frames sealed by hand, each in a buffer of its own: what the switch holds is all that is measured
    const peers = await Promise.all(Array.from({ length: PEERS }, () => rawSecretPeer(sw)));
    await added;
    sockets.push(...peers.map((p) => p.socket));
    const before = arrayBuffers();
    const partial = Buffer.concat([encodeUvarint(PARTIAL), Buffer.alloc(PARTIAL - 1, 7)]);
    for (const p of peers) p.socket.write(Buffer.concat([...partial].map((byte) => p.sealer.frame(Uint8Array.of(byte))))); // one sealed frame per byte
    // every byte has left the peers' sockets, and the switch has read it
    await within(
      (async () => {
        while (peers.some((p) => p.socket.writableLength > 0)) await new Promise((r) => setTimeout(r, 20));
      })(),
      30_000,
      "the partial packets to be sent",
    );
    // and what is held has settled (nothing still in flight between the sockets and the switch)
    let held = arrayBuffers() - before;
    for (let last = Infinity, i = 0; Math.abs(held - last) > 1024 * PEERS && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      [last, held] = [held, arrayBuffers() - before];
    }
    const perPeer = held / PEERS;
    expect(sw.peers.size, "the peers are still connected, their packets incomplete").to.equal(PEERS);
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile("test/adversarial/results/partial-packets.json", `${JSON.stringify({ peers: PEERS, partialBytes: partial.length, heldPerPeerBytes: Math.round(perPeer) }, null, 2)}\n`);
    expect(perPeer, "bytes held per peer (one 1028-byte frame per byte would be over 1 MB)").to.be.below(32 * 1024);
  });
});
