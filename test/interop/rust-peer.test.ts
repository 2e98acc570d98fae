/**
 * An independent SecretConnection: the Rust crate `cometbft-p2p` (crates.io), driven by
 * interop/rust-peer, completes the handshake with rx-mconn in both directions and echoes
 * messages byte for byte.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { resolve } from "node:path";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import { secretHandshake } from "../../src/secret/handshake.js";
import { nodeKeyFromSeed } from "../../src/secret/node-key.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { within } from "../helpers/tcp.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Event {
  event: string;
  [k: string]: unknown;
}

/** The Rust peer as a child process, its JSON-line events in order. */
function rustPeer(bin: string, args: string[]) {
  const child: ChildProcess = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const events: Event[] = [];
  let stderr = "";
  const waiting: { name: string; resolve: (e: Event) => void }[] = [];
  let buffered = "";
  child.stdout!.on("data", (c: Buffer) => {
    buffered += c.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      const e = JSON.parse(line) as Event;
      events.push(e);
      for (const w of waiting.filter((x) => x.name === e.event)) w.resolve(e);
    }
  });
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const next = (name: string, ms: number) =>
    within(
      new Promise<Event>((res) => {
        const seen = events.find((e) => e.event === name);
        if (seen !== undefined) res(seen);
        else waiting.push({ name, resolve: res });
      }),
      ms,
      `the Rust peer's "${name}" event (events so far: ${JSON.stringify(events)}; stderr: ${stderr})`,
    );
  return { child, next, kill: () => child.kill("SIGKILL") };
}

/** An Echo{bytes msg = 1} message, length-delimited, as one write (so it starts a frame). */
function echoMessage(payload: Uint8Array): Uint8Array {
  const body = payload.length === 0 ? new Uint8Array(0) : Buffer.concat([Uint8Array.of(0x0a), encodeUvarint(payload.length), payload]);
  return Buffer.concat([encodeUvarint(body.length), body]);
}

/** Sends every payload and checks each comes back identical, in order. */
async function echoAll(duplex: ByteDuplex, payloads: Uint8Array[]): Promise<void> {
  const expected = Buffer.concat(payloads.map(echoMessage));
  const received: Buffer[] = [];
  let got = 0;
  const all = new Promise<void>((res, rej) =>
    duplex.incoming$.subscribe({
      next: (c) => {
        received.push(Buffer.from(c));
        got += c.length;
        if (got >= expected.length) res();
      },
      error: rej,
      complete: () => rej(new Error(`stream ended after ${got} of ${expected.length} echoed bytes`)),
    }),
  );
  for (const p of payloads) duplex.write(echoMessage(p));
  await within(all, 20_000, `the echo of ${payloads.length} messages (${expected.length} bytes)`);
  const back = Buffer.concat(received);
  expect(back.length, "echoed bytes").to.equal(expected.length);
  expect(back.equals(expected), "echoed bytes identical").to.equal(true);
}

const sizes = [0, 1, 100, 1023, 1024, 1025, 2048, 4096, 10_000, 65_536, 100 * 1024];

describe("SecretConnection against the Rust crate cometbft-p2p", function () {
  this.timeout(300_000);
  let bin: string;
  const peers: { kill: () => void }[] = [];

  before(function () {
    this.timeout(900_000); // the first run builds the peer
    bin = execFileSync(resolve("scripts/build-rust-peer.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  });
  after(() => peers.forEach((p) => p.kill()));

  it("Rust listens, we dial: both learn the right keys; messages of 0 B to 100 KiB echo byte-identical", async () => {
    const ours = nodeKeyFromSeed(randomBytes(32));
    const theirSeed = randomBytes(32);
    const theirs = nodeKeyFromSeed(theirSeed);
    const peer = rustPeer(bin, ["listen", hex(theirSeed)]);
    peers.push(peer);
    const { port } = (await peer.next("listening", 10_000)) as unknown as { port: number };
    const socket: Socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    const conn = await within(secretHandshake(socketDuplex(socket), ours), 10_000, "our side of the handshake");
    expect(conn.remoteId, "the node ID we learned").to.equal(theirs.id);
    const hs = await peer.next("handshake", 10_000);
    expect(hs["peer_pubkey"], "the key the Rust side learned").to.equal(hex(ours.publicKey));
    const random = sizes.map((n) => randomBytes(n));
    await echoAll(conn.duplex, random);
    conn.duplex.end();
    const done = await peer.next("done", 10_000);
    expect(done["echoed"]).to.equal(sizes.length);
  });

  it("we listen, Rust dials: the same", async () => {
    const ours = nodeKeyFromSeed(randomBytes(32));
    const theirSeed = randomBytes(32);
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const accepted = once(server, "connection") as Promise<[Socket]>;
    const peer = rustPeer(bin, ["dial", String((server.address() as { port: number }).port), hex(theirSeed)]);
    peers.push(peer);
    try {
      const [socket] = await within(accepted, 10_000, "the Rust peer to connect");
      const conn = await within(secretHandshake(socketDuplex(socket), ours), 10_000, "our side of the handshake");
      expect(conn.remoteId).to.equal(nodeKeyFromSeed(theirSeed).id);
      expect((await peer.next("handshake", 10_000))["peer_pubkey"]).to.equal(hex(ours.publicKey));
      await echoAll(conn.duplex, sizes.map((n) => randomBytes(n)).reverse());
      conn.duplex.end();
      expect((await peer.next("done", 10_000))["echoed"]).to.equal(sizes.length);
    } finally {
      server.close();
    }
  });
});
