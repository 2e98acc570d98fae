/**
 * Sealed frames that carry little or nothing: rate limits count the bytes on the socket, so a
 * stream of tiny frames is held to `recvRate` like any other; a run of empty frames is refused,
 * as CometBFT refuses it.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { filter, firstValueFrom } from "rxjs";
import type { Switch } from "../../src/p2p/switch.js";
import { EmptyFramesError } from "../../src/secret/errors.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import { rawSecretPeer } from "../helpers/raw-secret-peer.js";
import { makeSwitch, nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

const RECV_RATE = 1_000_000;

describe("sealed frames carrying little or nothing", function () {
  this.timeout(120_000);
  let sw: Switch;
  const sockets: Socket[] = [];
  const figures: Record<string, unknown> = {};
  beforeEach(async () => {
    ({ sw } = makeSwitch({ chat: { channels: [{ id: 0x40 }] } }, { mconnection: { recvRate: RECV_RATE } }));
    await sw.start();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await sw.stop();
  });
  after(async () => {
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile("test/adversarial/results/wire-rate.json", `${JSON.stringify(figures, null, 2)}\n`);
  });

  it("99 empty frames in a row pass (CometBFT's rule); the 100th in a row ends the peer with EmptyFramesError", async () => {
    const added = nextPeerEvents(sw, "added", 1);
    const rogue = await rawSecretPeer(sw);
    sockets.push(rogue.socket);
    await added;
    const hello = firstValueFrom(sw.channel(0x40).messages$.pipe(filter((e) => e.peer.id === rogue.id)));
    const empties = (n: number) => Buffer.concat(Array.from({ length: n }, () => rogue.sealer.frame(new Uint8Array(0))));
    rogue.socket.write(empties(99));
    rogue.socket.write(rogue.sealer.frame(encodeBatch([{ type: "msg", channelId: 0x40, eof: true, data: Uint8Array.of(1, 2, 3) }])));
    expect((await within(hello, 5000, "the message after 99 empty frames")).message).to.deep.equal(Uint8Array.of(1, 2, 3));
    const removed = firstValueFrom(sw.peers$.pipe(filter((e) => e.type === "removed" && e.peer.id === rogue.id)));
    rogue.socket.write(empties(100));
    const e = await within(removed, 5000, "the peer's removal");
    expect(e.type === "removed" && e.reason.kind === "error" && e.reason.error).to.be.instanceOf(EmptyFramesError);
  });

  it(`1-byte frames as fast as the socket takes them: the bytes read off the socket stay under recvRate (${RECV_RATE} B/s)`, async () => {
    const added = nextPeerEvents(sw, "added", 1);
    const rogue = await rawSecretPeer(sw);
    sockets.push(rogue.socket);
    await added;
    let received = 0;
    sw.channel(0x40).messages$.subscribe(() => received++);
    // a stream of small messages, one plaintext byte per sealed frame
    const stream = encodeBatch(Array.from({ length: 2000 }, () => ({ type: "msg" as const, channelId: 0x40, eof: true, data: new Uint8Array(8) })));
    let at = 0;
    let stop = false;
    const pump = () => {
      while (!stop) {
        const batch = Buffer.concat(Array.from({ length: 64 }, () => rogue.sealer.frame(stream.subarray(at % stream.length, (at++ % stream.length) + 1))));
        if (!rogue.socket.write(batch)) return void rogue.socket.once("drain", pump);
      }
    };
    pump();
    // after the kernel's buffers have filled, what the socket takes is what the switch reads
    const taken = () => rogue.socket.bytesWritten - rogue.socket.writableLength;
    await new Promise((r) => setTimeout(r, 3000));
    const [b0, t0] = [taken(), Date.now()];
    await new Promise((r) => setTimeout(r, 5000));
    const rate = (taken() - b0) / ((Date.now() - t0) / 1000);
    stop = true;
    figures["1-byte frames"] = { recvRate: RECV_RATE, wireBytesPerSecond: Math.round(rate), plaintextBytesPerSecond: Math.round(rate / 1044), messages: received };
    expect(sw.peers.size, "the peer is still connected (slowed, not dropped)").to.equal(1);
    expect(received, "messages arrived").to.be.greaterThan(0);
    // Measured from the sender's side, the figure also holds what the kernel's loopback buffers
    // grow by while they autotune (up to a few hundred KB in 5 s); unlimited, it was 63× recvRate.
    expect(rate, "wire bytes per second read from the peer").to.be.at.most(RECV_RATE * 1.5);
  });
});
