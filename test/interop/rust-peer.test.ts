/**
 * An independent SecretConnection: the Rust crate `cometbft-p2p` (crates.io), driven by
 * interop/rust-peer, completes the handshake with rx-mconn in both directions on real sockets,
 * each side learns the other's key, and messages of 0 B to 100 KiB echo back byte-identical.
 * Every wait is bounded; a failure names the step, what arrived, and the Rust peer's events.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";
import type { Subscription } from "rxjs";
import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { secretHandshake, type SecretConnection } from "../../src/secret/handshake.js";
import { generateNodeKey, nodeKeyFromSeed, type NodeKey } from "../../src/secret/node-key.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";
import { within } from "../helpers/tcp.js";

const KiB = 1024;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** One JSON line of the Rust peer (see interop/rust-peer/src/main.rs). */
interface Event {
  event: string;
  [k: string]: unknown;
}

/** The Rust peer as a child process, its JSON-line events in order. */
interface RustPeer {
  /** The first event named `name` (already seen or still to come), within `ms`. */
  next(name: string, ms: number): Promise<Event>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<string>;
  /** What the peer said so far, for failure messages. */
  describe(): string;
  kill(): void;
}

const running = new Set<ChildProcess>();
const killAll = () => running.forEach((c) => c.kill("SIGKILL"));
process.once("exit", killAll); // even if mocha is interrupted

function rustPeer(bin: string, args: string[]): RustPeer {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const events: Event[] = [];
  const waiting: { name: string; resolve: (e: Event) => void; reject: (err: Error) => void }[] = [];
  let stderr = "";
  let partial = "";
  let status: string | undefined;
  const exited = new Promise<string>((res) =>
    // "close", not "exit": by then stdout has been read to its end.
    child.once("close", (code, signal) => {
      running.delete(child);
      status = code === null ? `signal ${signal}` : `code ${code}`;
      for (const w of waiting.splice(0)) w.reject(new Error(`the Rust peer ended (${status}) without a "${w.name}" event (${describe()})`));
      res(status);
    }),
  );
  child.stdout.on("data", (c: Buffer) => {
    const lines = (partial + c.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      let e: Event;
      try {
        e = JSON.parse(line) as Event;
      } catch {
        e = { event: "unparsed", line };
      }
      events.push(e);
      for (const w of waiting.filter((x) => x.name === e.event)) w.resolve(e);
    }
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.once("error", (err) => events.push({ event: "spawn-error", message: err.message }));
  const describe = () =>
    `Rust peer ${args[0]}${status === undefined ? "" : ` (ended, ${status})`}: events ${JSON.stringify(events)}; stderr ${JSON.stringify(stderr.slice(-2000))}`;
  return {
    next: (name, ms) =>
      within(
        new Promise<Event>((res, rej) => {
          const seen = events.find((e) => e.event === name);
          if (seen !== undefined) res(seen);
          else if (status !== undefined) rej(new Error(`the Rust peer ended (${status}) without a "${name}" event (${describe()})`));
          else waiting.push({ name, resolve: res, reject: rej });
        }),
        ms,
        `the Rust peer's "${name}" event (${describe()})`,
      ),
    exited,
    describe,
    kill: () => child.kill("SIGKILL"),
  };
}

/** Runs `promise` as the named step: bounded, and a failure carries the Rust peer's story. */
async function step<T>(what: string, promise: Promise<T>, ms: number, peer: RustPeer): Promise<T> {
  try {
    return await within(promise, ms, what);
  } catch (err) {
    throw new Error(`step "${what}" failed: ${err instanceof Error ? err.message : String(err)}\n${peer.describe()}`, { cause: err });
  }
}

/** An Echo{bytes msg = 1} message, length-delimited, as the crate reads and writes it. */
function echoMessage(payload: Uint8Array): Buffer {
  const body = payload.length === 0 ? Buffer.alloc(0) : Buffer.concat([Uint8Array.of(0x0a), encodeUvarint(payload.length), payload]);
  return Buffer.concat([encodeUvarint(body.length), body]);
}

/** The payload size whose delimited Echo message is exactly `total` bytes. */
function payloadForTotal(total: number): number {
  for (let p = total; p >= 0; p--) if (echoMessage(new Uint8Array(p)).length === total) return p;
  throw new Error(`no Echo message is exactly ${total} bytes`);
}

/**
 * Sizes around every boundary the frame format has (1024 data bytes a frame): payloads of
 * exactly 1024 and 1025 bytes, messages of exactly one and two full frames and one byte more,
 * the 100 KiB maximum, and random sizes up to it (new ones each run; a failure lists them).
 */
function payloadSizes(): number[] {
  const fixed = [0, 1, 100, 1023, 1024, 1025, payloadForTotal(1024), payloadForTotal(1025), payloadForTotal(2048), payloadForTotal(2049), 4096, 65_536, 100 * KiB];
  const random = Array.from({ length: 8 }, () => randomInt(0, 100 * KiB + 1));
  return [...fixed, ...random];
}

/**
 * Writes one Echo message per payload (each `write()` starts a new frame, which the crate's
 * message reader needs), then checks that what comes back is exactly what was sent.
 */
async function echoAll(duplex: ByteDuplex, payloads: Uint8Array[], peer: RustPeer): Promise<void> {
  const messages = payloads.map(echoMessage);
  const expected = Buffer.concat(messages);
  const sizes = `payload sizes sent, in order: [${payloads.map((p) => p.length).join(", ")}]`;
  const received: Buffer[] = [];
  let got = 0;
  let sub: Subscription | undefined;
  const all = new Promise<void>((res, rej) => {
    sub = duplex.incoming$.subscribe({
      next: (c) => {
        received.push(Buffer.from(c));
        got += c.length;
        if (got >= expected.length) res();
      },
      error: (err: unknown) => rej(new Error(`our secret duplex failed after ${got} of ${expected.length} echoed bytes: ${String(err)}`)),
      complete: () => rej(new Error(`the stream ended after ${got} of ${expected.length} echoed bytes`)),
    });
  });
  try {
    for (const m of messages) duplex.write(m);
    await step(`the echo of ${messages.length} messages (${expected.length} bytes; ${sizes})`, all, 30_000, peer);
  } finally {
    sub?.unsubscribe();
  }
  const back = Buffer.concat(received);
  if (back.equals(expected)) return;
  // Name the first message whose echo differs, where, and what arrived there.
  let i = 0;
  let start = 0;
  let at = 0;
  while (at < Math.min(back.length, expected.length) && back[at] === expected[at]) at++;
  while (i < messages.length - 1 && start + messages[i].length <= at) start += messages[i++].length;
  const window = (b: Buffer) => hex(b.subarray(at, at + 32));
  throw new Error(
    `step "compare the echoed bytes" failed: ${back.length} bytes came back for ${expected.length} sent; ` +
      `first difference at stream offset ${at}, byte ${at - start} of message #${i} (payload ${payloads[i].length} B): ` +
      `expected ${window(expected)}…, received ${window(back)}…; ${sizes}`,
  );
}

/** After the echo: we close, the Rust peer reports every message echoed and exits cleanly. */
async function finish(conn: SecretConnection, peer: RustPeer, count: number): Promise<void> {
  conn.duplex.end();
  const done = await step("the Rust peer to see our close and report", peer.next("done", 10_000), 10_000, peer);
  expect(done["echoed"], `messages the Rust peer echoed (${peer.describe()})`).to.equal(count);
  expect(await step("the Rust peer's exit", peer.exited, 10_000, peer), `the Rust peer's exit (${peer.describe()})`).to.equal("code 0");
}

/** Checks what each side learned about the other. */
async function checkIdentities(conn: SecretConnection, ours: NodeKey, rustIdentity: Event, peer: RustPeer): Promise<void> {
  const story = peer.describe();
  expect(hex(conn.remotePublicKey), `the public key our side learned (${story})`).to.equal(rustIdentity["pubkey"]);
  expect(conn.remoteId, `the node ID our side learned, against the crate's derivation (${story})`).to.equal(rustIdentity["id"]);
  const hs = await peer.next("handshake", 10_000);
  expect(hs["peer_pubkey"], `the public key the Rust side learned (${peer.describe()})`).to.equal(hex(ours.publicKey));
  expect(hs["peer_id"], `the node ID the Rust side learned (${peer.describe()})`).to.equal(ours.id);
}

describe("SecretConnection against the Rust crate cometbft-p2p", function () {
  this.timeout(120_000);
  let bin: string;
  const cleanups: (() => void)[] = [];

  before(function () {
    this.timeout(900_000); // the first run builds the peer (≈15 s here; a fresh machine also downloads the crates)
    try {
      bin = execFileSync(resolve("scripts/build-rust-peer.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 850_000 }).trim();
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`step "build the Rust peer (scripts/build-rust-peer.sh)" failed: ${e.message}\n${e.stderr ?? ""}`, { cause: err });
    }
  });

  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    const children = [...running];
    killAll();
    await within(Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, "exit") : Promise.resolve()))), 5_000, "the Rust peers to exit");
  });

  it("Rust listens (its own generated key), we dial: each learns the other's key and ID; 0 B to 100 KiB echo byte-identical", async () => {
    const ours = generateNodeKey();
    const peer = rustPeer(bin, ["listen"]);
    const identity = await peer.next("identity", 10_000);
    const { port } = (await peer.next("listening", 10_000)) as unknown as { port: number };

    const socket: Socket = connect(port, "127.0.0.1");
    cleanups.push(() => socket.destroy());
    await step(`connect to the Rust peer on 127.0.0.1:${port}`, once(socket, "connect"), 10_000, peer);
    const conn = await step("our side of the handshake (we dialed)", secretHandshake(socketDuplex(socket), ours), 10_000, peer);
    await checkIdentities(conn, ours, identity, peer);

    const payloads = payloadSizes().map((n) => randomBytes(n));
    await echoAll(conn.duplex, payloads, peer);
    await finish(conn, peer, payloads.length);
  });

  it("we listen, Rust dials (a key from our seed): the same, and both derive the same public key from the seed", async () => {
    const ours = generateNodeKey();
    const theirSeed = randomBytes(32);
    const server: Server = createServer();
    cleanups.push(() => server.close());
    server.listen(0, "127.0.0.1");
    await within(once(server, "listening"), 5_000, "our listener");
    const accepted = once(server, "connection") as Promise<[Socket]>;
    const port = (server.address() as { port: number }).port;

    const peer = rustPeer(bin, ["dial", String(port), hex(theirSeed)]);
    const identity = await peer.next("identity", 10_000);
    expect(identity["pubkey"], `the public key of seed ${hex(theirSeed)}: ed25519-dalek against ours`).to.equal(hex(nodeKeyFromSeed(theirSeed).publicKey));

    const [socket] = await step(`the Rust peer to connect to 127.0.0.1:${port}`, accepted, 10_000, peer);
    cleanups.push(() => socket.destroy());
    const conn = await step("our side of the handshake (Rust dialed)", secretHandshake(socketDuplex(socket), ours), 10_000, peer);
    await checkIdentities(conn, ours, identity, peer);

    const payloads = payloadSizes()
      .reverse()
      .map((n) => randomBytes(n));
    await echoAll(conn.duplex, payloads, peer);
    await finish(conn, peer, payloads.length);
  });
});
