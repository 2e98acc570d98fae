import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { firstValueFrom } from "rxjs";
import { seededRandom } from "../../src/duplex/duplex-pair.js";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { ChannelDescriptor } from "../../src/mconn/channel-descriptor.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { TransportError } from "../../src/errors.js";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import type { Socket } from "node:net";
import { tcpPair, within } from "../helpers/tcp.js";

const MiB = 1024 * 1024;
const channels: ChannelDescriptor[] = [
  { id: 0x01, priority: 1, sendQueueCapacity: 8, recvMessageCapacity: 4 * MiB },
  { id: 0x02, priority: 2, sendQueueCapacity: 8, recvMessageCapacity: 4 * MiB },
  { id: 0x85, priority: 5, sendQueueCapacity: 8, recvMessageCapacity: 4 * MiB }, // a two-byte varint id
];
// Sends wait as long as it takes: on a loaded machine a 3 MiB message may take more than 10 s to leave.
const config = { sendRate: 0, recvRate: 0, sendTimeout: 120_000 };
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Sizes from 0 to 3 MiB, log-uniform (mostly small, some large), with both extremes included. */
function sizes(seed: number, n: number): number[] {
  const random = seededRandom(seed);
  const out = [0, 3 * MiB];
  while (out.length < n) out.push(Math.floor(Math.exp(random() * Math.log(3 * MiB + 1))) - 1);
  return out;
}

/** Sends `count` random messages spread over the channels, returning each channel's hashes in order. */
async function sendAll(conn: MConnection, seed: number, count: number): Promise<Map<number, string[]>> {
  const sent = new Map<number, string[]>(channels.map((c) => [c.id, []]));
  const random = seededRandom(seed + 1);
  const plan = sizes(seed, count).map((size) => ({ size, channel: channels[Math.floor(random() * channels.length)].id }));
  // One sender per channel keeps per-channel order; channels run concurrently.
  await Promise.all(
    channels.map(async (c) => {
      for (const p of plan.filter((q) => q.channel === c.id)) {
        const message = randomBytes(p.size);
        sent.get(c.id)!.push(sha(message));
        expect(await conn.send(c.id, message), `send on channel ${c.id}`).to.equal(true);
      }
    }),
  );
  return sent;
}

/** Records each channel's message hashes; `all` resolves once `expected` messages have arrived. */
function collect(conn: MConnection, expected: number): { got: Map<number, string[]>; all: Promise<void> } {
  const got = new Map<number, string[]>(channels.map((c) => [c.id, []]));
  let count = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const c of channels)
    conn.channel(c.id).messages$.subscribe((m) => {
      got.get(c.id)!.push(sha(m));
      if (++count === expected) done();
    });
  return { got, all };
}

type Link = (tcp: { client: Socket; server: Socket }) => Promise<[ByteDuplex, ByteDuplex]>;
const plain: Link = (tcp) => Promise.resolve([socketDuplex(tcp.client), socketDuplex(tcp.server)]);
const keyA = generateNodeKey();
const keyB = generateNodeKey();
/** Both ends run the secret handshake; each must learn the other's node ID. */
const secret: Link = async (tcp) => {
  const [a, b] = await Promise.all([secretHandshake(socketDuplex(tcp.client), keyA), secretHandshake(socketDuplex(tcp.server), keyB)]);
  expect(a.remoteId).to.equal(keyB.id);
  expect(b.remoteId).to.equal(keyA.id);
  return [a.duplex, b.duplex];
};

/** 1,500 messages of 0 B to 3 MiB each way on three channels, compared by hash, then a clean close. */
async function exchange(link: Link): Promise<void> {
  const tcp = await tcpPair();
  try {
    const [da, db] = await within(link(tcp), 10_000, "the link");
    const a = new MConnection(da, { channels, config });
    const b = new MConnection(db, { channels, config });
    const byA = collect(a, 1500);
    const byB = collect(b, 1500);
    a.start();
    b.start();
    // A guard against a hang, not a speed bound: on a machine shared with many other processes the
    // encrypted exchange takes minutes.
    const [sentByA, sentByB] = await within(Promise.all([sendAll(a, 1, 1500), sendAll(b, 2, 1500)]), 540_000, "sending");
    await within(Promise.all([byA.all, byB.all]), 60_000, "every message to arrive");
    const [ra, rb] = await within(Promise.all([a.close(), firstValueFrom(b.ended$)]), 60_000, "close");
    expect(ra.kind).to.equal("closed");
    expect(rb.kind).to.equal("remote-closed");
    for (const c of channels) {
      expect(byB.got.get(c.id), `a → b on channel ${c.id}`).to.deep.equal(sentByA.get(c.id));
      expect(byA.got.get(c.id), `b → a on channel ${c.id}`).to.deep.equal(sentByB.get(c.id));
    }
    expect(byB.got.get(1)!.length + byB.got.get(2)!.length + byB.got.get(0x85)!.length).to.equal(1500);
  } finally {
    await tcp.close();
  }
}

describe("MConnection over TCP on 127.0.0.1", function () {
  // The exchanges move ~2 GB through one process: minutes on a loaded machine.
  this.timeout(600_000);

  it("exchanges thousands of messages of 0 B to 3 MiB both ways, byte-identical and in order per channel", async () => {
    await exchange(plain);
  });

  it("does the same encrypted: SecretConnection handshake on both ends, then the same exchange", async () => {
    await exchange(secret);
  });

  it("a slow reader (its socket paused by a receive rate limit) still gets every byte right while the sender's writes back up", async () => {
    const tcp = await tcpPair();
    try {
      // Pacing off: with it the sender would keep its socket buffer nearly empty, by design.
      const a = new MConnection(socketDuplex(tcp.client), { channels, config: { ...config, pacingTargetDelay: 0 } });
      const b = new MConnection(socketDuplex(tcp.server), { channels, config: { ...config, recvRate: 3_000_000 } });
      const byB = collect(b, 192);
      a.start();
      b.start();
      const sent = new Map<number, string[]>(channels.map((c) => [c.id, []]));
      // Writes back up when the socket asks to be drained: counted by its events, not sampled. The
      // 22 MB sent is well past what the kernel's buffers on both ends of a loopback connection hold.
      let backedUp = 0;
      tcp.client.on("drain", () => backedUp++);
      await Promise.all(
        channels.map(async (c) => {
          for (let i = 0; i < 64; i++) {
            const m = randomBytes(100_000 + i * 1000);
            sent.get(c.id)!.push(sha(m));
            expect(await a.send(c.id, m)).to.equal(true);
          }
        }),
      );
      await within(byB.all, 300_000, "every message");
      expect(backedUp, "the sender's socket asked to be drained").to.be.greaterThan(0);
      for (const c of channels) expect(byB.got.get(c.id), `channel ${c.id}`).to.deep.equal(sent.get(c.id));
      a.abort(new TransportError("test over"));
      b.abort(new TransportError("test over"));
    } finally {
      await tcp.close();
    }
  });

  it("close() delivers everything queued before it: nothing is lost", async () => {
    const tcp = await tcpPair();
    try {
      const a = new MConnection(socketDuplex(tcp.client), { channels, config });
      const b = new MConnection(socketDuplex(tcp.server), { channels, config });
      const byB = collect(b, 24);
      a.start();
      b.start();
      const sent: string[] = [];
      for (let i = 0; i < 8; i++)
        for (const c of channels) {
          const m = randomBytes(100_000 + i);
          if (c.id === 0x85) sent.push(sha(m));
          expect(a.trySend(c.id, m)).to.equal(true);
        }
      const reason = await within(a.close(), 30_000, "close");
      expect(reason.kind).to.equal("closed");
      await within(byB.all, 30_000, "the flushed messages");
      expect(byB.got.get(0x85)).to.deep.equal(sent);
    } finally {
      await tcp.close();
    }
  });

  it("gives each saturated channel its priority share of the bytes, within ±5 %", async () => {
    const tcp = await tcpPair();
    try {
      const a = new MConnection(socketDuplex(tcp.client), { channels, config });
      const b = new MConnection(socketDuplex(tcp.server), { channels, config });
      const bytes = new Map<number, number>(channels.map((c) => [c.id, 0]));
      let total = 0;
      const target = 96 * MiB;
      let done!: () => void;
      const reached = new Promise<void>((resolve) => (done = resolve));
      for (const c of channels) {
        b.channel(c.id).messages$.subscribe((m) => {
          if (total >= target) return;
          bytes.set(c.id, bytes.get(c.id)! + m.length);
          total += m.length;
          if (total >= target) done();
        });
      }
      a.start();
      b.start();
      const message = new Uint8Array(64 * 1024);
      const producers = channels.map(async (c) => {
        while (total < target) if (!(await a.send(c.id, message))) break;
      });
      await within(reached, 60_000, "the byte target");
      await a.close();
      await Promise.all(producers);
      const prioritySum = channels.reduce((s, c) => s + c.priority!, 0);
      for (const c of channels) {
        const share = bytes.get(c.id)! / total;
        const expected = c.priority! / prioritySum;
        expect(Math.abs(share - expected), `channel ${c.id}: share ${share.toFixed(4)} vs ${expected.toFixed(4)}`).to.be.at.most(0.05 * expected);
      }
    } finally {
      await tcp.close();
    }
  });
});
