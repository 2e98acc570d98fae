import { expect } from "chai";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { filter, firstValueFrom } from "rxjs";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import {
  MalformedPacketError,
  type MConnError,
  MessageTooLargeError,
  PacketTooLargeError,
  TruncatedError,
  UnknownChannelError,
} from "../../src/errors.js";
import type { CloseReason } from "../../src/mconn/close-reason.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import type { MsgPacket } from "../../src/wire/packet.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";

const WAIT = 5000;
const channels = [{ id: 1, recvMessageCapacity: 4096 }];
const config = { sendRate: 0, recvRate: 0 };

/** Resolves with `promise`, or rejects after `ms` naming `what`. */
function within<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Resolves once `socket` has closed (an 'error' before it, e.g. a reset, is tolerated). */
function closed(socket: Socket): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const msg = (channelId: number, eof: boolean, data: Uint8Array): MsgPacket => ({ type: "msg", channelId, eof, data });

/** The server side of one accepted connection. */
interface Accepted {
  readonly socket: Socket;
  readonly conn: MConnection;
}

/**
 * A TCP server on 127.0.0.1 that wraps every accepted socket in an MConnection (channel 1,
 * 4096-byte receive capacity) and echoes every message it receives on channel 1.
 */
class EchoServer {
  readonly accepted: Accepted[] = [];
  private readonly waiting: ((a: Accepted) => void)[] = [];
  private readonly pending: Accepted[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((socket) => {
      const conn = new MConnection(socketDuplex(socket), { channels, config });
      conn.channel(1).messages$.subscribe((m) => void conn.send(1, m.slice()));
      conn.start();
      const a = { socket, conn };
      this.accepted.push(a);
      const w = this.waiting.shift();
      if (w) w(a);
      else this.pending.push(a);
    });
  }

  async listen(): Promise<number> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return (this.server.address() as { port: number }).port;
  }

  /** The next connection the server accepts (in order of acceptance). */
  next(): Promise<Accepted> {
    const a = this.pending.shift();
    if (a) return Promise.resolve(a);
    return within(new Promise((resolve) => this.waiting.push(resolve)), "the server to accept a connection");
  }

  async close(): Promise<void> {
    for (const a of this.accepted) {
      a.conn.abort(new MalformedPacketError("test over")); // no-op for connections already ended
      a.socket.destroy();
    }
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await within(done, "the server to close");
  }
}

async function rawClient(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {}); // a reset from the server after it gives up is expected
  await within(once(socket, "connect"), "the raw client to connect");
  return socket;
}

/** A well-behaved MConnection client; `echo(text)` sends and waits for the server's echo. */
async function goodClient(port: number): Promise<{ socket: Socket; conn: MConnection; echo: (s: string) => Promise<void> }> {
  const socket = connect(port, "127.0.0.1");
  await within(once(socket, "connect"), "the good client to connect");
  const conn = new MConnection(socketDuplex(socket), { channels, config });
  const received: string[] = [];
  conn.channel(1).messages$.subscribe((m) => received.push(text(m)));
  conn.start();
  const echo = async (s: string) => {
    const arrived = firstValueFrom(conn.channel(1).messages$.pipe(filter((m) => text(m) === s)));
    expect(await conn.send(1, utf8(s)), `send "${s}"`).to.equal(true);
    await within(arrived, `the echo of "${s}"`);
  };
  return { socket, conn, echo };
}

interface Hostile {
  readonly name: string;
  readonly error: new (...args: never[]) => MConnError;
  /** What the raw client writes. */
  readonly bytes: Uint8Array;
  /** Whether the raw client then ends its side (FIN). */
  readonly end: boolean;
  readonly check?: (error: MConnError, server: Accepted, client: Socket) => void;
}

const prefix2p60 = encodeUvarint(2 ** 60);
const oversized = encodeBatch([
  msg(1, false, new Uint8Array(1024).fill(1)),
  msg(1, false, new Uint8Array(1024).fill(2)),
  msg(1, false, new Uint8Array(1024).fill(3)),
  msg(1, false, new Uint8Array(1024).fill(4)),
  msg(1, true, new Uint8Array(1).fill(5)), // 4097 bytes in all, capacity 4096
]);
const unknownChannel = encodeBatch([msg(7, true, utf8("for a channel nobody declared"))]);
const fullFrame = encodeBatch([msg(1, true, new Uint8Array(500).fill(9))]);
const halfFrame = fullFrame.subarray(0, 200);

const hostile: Hostile[] = [
  { name: "garbage bytes 01 02 03 04 05", error: MalformedPacketError, bytes: Uint8Array.of(1, 2, 3, 4, 5), end: false },
  {
    name: "a uvarint length prefix of 2^60 (and nothing else, socket left open)",
    error: PacketTooLargeError,
    bytes: prefix2p60,
    end: false,
    check: (error, server, client) => {
      expect(error).to.include({ announced: 2 ** 60, max: 1034 });
      // decided on the 9 prefix bytes alone: nothing more was sent and the client never ended
      expect(client.bytesWritten).to.equal(prefix2p60.length);
      expect(server.socket.bytesRead).to.equal(prefix2p60.length);
    },
  },
  {
    name: "a valid packet for unknown channel 7",
    error: UnknownChannelError,
    bytes: unknownChannel,
    end: false,
    check: (error) => expect(error).to.include({ channelId: 7 }),
  },
  {
    name: "a message of 4097 bytes in five fragments on channel 1 (capacity 4096)",
    error: MessageTooLargeError,
    bytes: oversized,
    end: false,
    check: (error) => {
      expect(error).to.include({ channelId: 1, size: 4097, capacity: 4096 });
    },
  },
  { name: "half a frame, then the client closes", error: TruncatedError, bytes: halfFrame, end: true },
  {
    name: "a packet for channel 1025 (byte(1025) = 1, the channel the server has)",
    error: UnknownChannelError,
    bytes: Uint8Array.from(Buffer.from("0b1a0908810810011a023432", "hex")),
    end: false,
    check: (error) => expect(error).to.include({ channelId: 1025 }),
  },
  {
    name: "a packet of 1134 bytes (payload 1124, max 1034)",
    error: PacketTooLargeError,
    bytes: encodeBatch([msg(1, true, new Uint8Array(1124))]),
    end: false,
    check: (error) => expect(error).to.include({ announced: 1134 }),
  },
];

describe("MConnection over TCP: hostile input ends only that connection", function () {
  this.timeout(20_000);

  for (const h of hostile) {
    it(`${h.name} → ${h.error.name}; the server closes that socket; another connection keeps working`, async () => {
      const server = new EchoServer();
      const sockets: Socket[] = [];
      let good: Awaited<ReturnType<typeof goodClient>> | undefined;
      try {
        const port = await server.listen();
        good = await goodClient(port);
        sockets.push(good.socket);
        const goodServer = await server.next();
        await good.echo("before");

        const raw = await rawClient(port);
        sockets.push(raw);
        let rawReceived = 0;
        raw.on("data", (d: Buffer) => (rawReceived += d.length));
        const badServer = await server.next();
        const rawClosed = closed(raw);
        const ended = firstValueFrom(badServer.conn.ended$);
        raw.write(h.bytes);
        if (h.end) raw.end();

        const reason: CloseReason = await within(ended, `the bad connection to end with ${h.error.name}`);
        expect(reason.kind).to.equal("error");
        if (reason.kind !== "error") return;
        expect(reason.error).to.be.instanceOf(h.error);
        expect(reason.error.name).to.equal(h.error.name);
        expect(badServer.conn.closeReason).to.equal(reason);
        expect(badServer.conn.isRunning).to.equal(false);
        h.check?.(reason.error, badServer, raw);

        await within(rawClosed, "the raw client to see its socket closed");
        expect(badServer.socket.destroyed).to.equal(true);
        expect(rawReceived, "nothing was delivered (and so echoed) from the bad input").to.equal(0);

        // every other connection untouched
        expect(goodServer.conn.closeReason).to.equal(undefined);
        expect(goodServer.conn.isRunning).to.equal(true);
        await good.echo("after");
        await good.echo("x".repeat(4096)); // a full-capacity message still fits
        expect(goodServer.conn.closeReason).to.equal(undefined);

        const [mine, theirs] = await within(Promise.all([good.conn.close(), firstValueFrom(goodServer.conn.ended$)]), "the good connection to close");
        expect(mine.kind).to.equal("closed");
        expect(theirs.kind).to.equal("remote-closed");
      } finally {
        if (good && good.conn.closeReason === undefined) good.conn.abort(new MalformedPacketError("test over"));
        for (const s of sockets) s.destroy();
        await Promise.all(sockets.map((s) => within(closed(s), "a client socket to close")));
        await server.close();
      }
    });
  }

  it("several hostile clients at once: each ends with its own error, the good client is untouched", async () => {
    const server = new EchoServer();
    const sockets: Socket[] = [];
    let good: Awaited<ReturnType<typeof goodClient>> | undefined;
    try {
      const port = await server.listen();
      good = await goodClient(port);
      sockets.push(good.socket);
      const goodServer = await server.next();
      const bad: { h: Hostile; raw: Socket; server: Accepted }[] = [];
      for (const h of hostile) {
        const raw = await rawClient(port);
        sockets.push(raw);
        bad.push({ h, raw, server: await server.next() });
      }
      const endings = bad.map((b) => firstValueFrom(b.server.conn.ended$));
      for (const b of bad) {
        b.raw.write(b.h.bytes);
        if (b.h.end) b.raw.end();
      }
      await good.echo("during");
      const reasons = await within(Promise.all(endings), "every bad connection to end");
      reasons.forEach((r, i) => {
        expect(r.kind, bad[i].h.name).to.equal("error");
        if (r.kind === "error") expect(r.error, bad[i].h.name).to.be.instanceOf(bad[i].h.error);
      });
      await within(Promise.all(bad.map((b) => closed(b.raw))), "every raw client to see its socket closed");
      expect(goodServer.conn.closeReason).to.equal(undefined);
      await good.echo("after all of them");
      await within(good.conn.close(), "the good connection to close");
    } finally {
      if (good && good.conn.closeReason === undefined) good.conn.abort(new MalformedPacketError("test over"));
      for (const s of sockets) s.destroy();
      await Promise.all(sockets.map((s) => within(closed(s), "a client socket to close")));
      await server.close();
    }
  });
});
