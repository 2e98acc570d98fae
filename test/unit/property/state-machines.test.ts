/**
 * Property tests for the state machines that read peer bytes: channel reassembly, the whole
 * MConnection inbound path (in virtual time), the secret handshake, the NodeInfo exchange, the
 * hand-off of the stream between them, authentic frames with arbitrary contents, and the memory
 * a huge announced length can make us take. Sources deliver synchronously and are consumed once
 * (see `hotDuplex`): the harshest timing a reader can meet.
 */
import { expect } from "chai";
import fc from "fast-check";
import { from, lastValueFrom, toArray, VirtualTimeScheduler } from "rxjs";
import sodium from "sodium-native";
import { readDelimited } from "../../../src/wire/read-delimited.js";
import { MConnError, MessageTooLargeError, PongTimeoutError, ProtocolError, TimeoutError, TruncatedError, UnknownChannelError } from "../../../src/errors.js";
import type { CloseReason } from "../../../src/mconn/close-reason.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { reassemble, reassembleBatches, type ChannelMessage } from "../../../src/mconn/reassemble.js";
import { NodeInfoError, PeerRejectedError } from "../../../src/p2p/errors.js";
import { checkCompatible } from "../../../src/p2p/admission/compatibility.js";
import { decodeNodeInfo, encodeNodeInfo, validateNodeInfo, type NodeInfo } from "../../../src/p2p/node-info.js";
import { upgrade } from "../../../src/p2p/upgrade.js";
import { encodeAuthSig } from "../../../src/secret/auth-sig.js";
import { encodeEphemeralMessage, ephemeralKeys, sharedSecret } from "../../../src/secret/ephemeral-key.js";
import { FrameAuthenticationError, FrameLengthError, HandshakeError } from "../../../src/secret/errors.js";
import { FRAME_DATA_MAX, FRAME_PLAIN_SIZE, FRAME_SEALED_SIZE, FrameOpener, FrameSealer } from "../../../src/secret/frame-cipher.js";
import { secretHandshake } from "../../../src/secret/handshake.js";
import { deriveSession } from "../../../src/secret/key-schedule.js";
import { generateNodeKey } from "../../../src/secret/node-key.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { decodePacket } from "../../../src/wire/decode-packet.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { FrameDecoder } from "../../../src/wire/frame-decoder.js";
import { PING, PONG, type MsgPacket, type Packet } from "../../../src/wire/packet.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";
import { cutAt, hotDuplex } from "../../helpers/hot-duplex.js";
import { refFrames } from "../../helpers/ref-frames.js";

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const delimited = (body: Uint8Array) => Buffer.concat([encodeUvarint(body.length), body]);
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Settles `promise` into a value; fails the test if it rejects with anything but an MConnError. */
async function outcome<T>(promise: Promise<T>): Promise<{ ok: T } | { error: MConnError }> {
  try {
    return { ok: await promise };
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(MConnError);
    return { error: err as MConnError };
  }
}

/** Whether `promise` has settled after the event loop has turned a few times. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false as boolean; // set by the callbacks below, which control flow analysis does not follow
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5 && !settled; i++) await turn();
  return settled;
}

// ---------------------------------------------------------------------------------------------
// Reassembly: a reference model

interface ChannelSpec {
  readonly id: number;
  readonly recvMessageCapacity: number;
}

type ErrorClass = typeof UnknownChannelError | typeof MessageTooLargeError | typeof TruncatedError;

/** What reassembly must make of `packets`: the messages, then the error class or a clean end. */
function refReassemble(packets: readonly MsgPacket[], channels: readonly ChannelSpec[], completes: boolean): { messages: string[]; error?: ErrorClass } {
  const open = new Map<number, number[]>();
  const messages: string[] = [];
  for (const p of packets) {
    const spec = channels.find((c) => c.id === p.channelId);
    if (spec === undefined) return { messages, error: UnknownChannelError };
    const sofar = open.get(p.channelId) ?? [];
    const next = [...sofar, ...p.data];
    if (next.length > spec.recvMessageCapacity) return { messages, error: MessageTooLargeError };
    if (p.eof) {
      messages.push(`${p.channelId}:${Buffer.from(next).toString("hex")}`);
      open.delete(p.channelId);
    } else open.set(p.channelId, next);
  }
  if (completes && [...open.values()].some((b) => b.length > 0)) return { messages, error: TruncatedError };
  return { messages };
}

const channelsArb: fc.Arbitrary<ChannelSpec[]> = fc.uniqueArray(
  fc.record({ id: fc.integer({ min: 0, max: 7 }), recvMessageCapacity: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3000 })) }),
  { minLength: 1, maxLength: 4, selector: (c) => c.id },
);
/** Fragments on declared and undeclared channels (ids 0–7, and a few beyond a byte). */
const fragmentArb: fc.Arbitrary<MsgPacket> = fc.record({
  type: fc.constant("msg" as const),
  channelId: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 256, 257, 2 ** 31 - 1) }),
  eof: fc.boolean(),
  data: fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 1024, size: "max" })),
});

// ---------------------------------------------------------------------------------------------
// Streams of packets and garbage, as a peer may send them

const streamPieceArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  // mostly the channels the connection below declares (1, 2, 5), sometimes another
  {
    weight: 6,
    arbitrary: fc
      .tuple(fragmentArb, fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2, 5) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }))
      .map(([p, channelId]) => encodeBatch([{ ...p, channelId }])),
  },
  { weight: 2, arbitrary: fc.constantFrom(encodeBatch([PING]), encodeBatch([PONG])) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }) },
);

/** Reference framing: complete frames of `bytes`, and whether it breaks (bad prefix, truncated). */
function refPackets(bytes: Uint8Array, max: number): { packets: Packet[]; error?: "framing" | "truncated" } {
  const { frames, error } = refFrames(bytes, max);
  const packets: Packet[] = [];
  for (const [s, e] of frames) {
    try {
      packets.push(decodePacket(bytes.slice(s, e)));
    } catch {
      return { packets, error: "framing" };
    }
  }
  if (error === undefined) return { packets };
  return { packets, error: error.cls === TruncatedError ? "truncated" : "framing" };
}

// ---------------------------------------------------------------------------------------------
// NodeInfo

const REMOTE_ID = "ab".repeat(20);
const ourInfo: NodeInfo = {
  protocolVersion: { p2p: 8, block: 11, app: 0 },
  nodeId: "cd".repeat(20),
  listenAddr: "127.0.0.1:26656",
  network: "test-net",
  version: "1.0.0",
  channels: Uint8Array.of(0x20, 0x40),
  moniker: "us",
  other: { txIndex: "on", rpcAddress: "" },
};
const nodeInfoArb: fc.Arbitrary<NodeInfo> = fc.record({
  protocolVersion: fc.record({ p2p: fc.oneof(fc.constant(8), fc.nat()), block: fc.oneof(fc.constant(11), fc.nat()), app: fc.oneof(fc.constant(0), fc.maxSafeNat()) }),
  nodeId: fc.oneof(fc.constant(REMOTE_ID), fc.constant(ourInfo.nodeId), fc.stringMatching(/^[0-9a-fA-F]{38,42}$/), fc.string()),
  listenAddr: fc.oneof(fc.constantFrom("127.0.0.1:26656", "tcp://10.0.0.1:1", "[::1]:80", "host.example:26656", "1.2.3.4:99999", ":1"), fc.string()),
  network: fc.oneof(fc.constant("test-net"), fc.string()),
  version: fc.oneof(fc.constantFrom("", "0.38.0", " "), fc.string({ unit: "binary" })),
  channels: fc.oneof(fc.constant(Uint8Array.of(0x40)), fc.uint8Array({ maxLength: 20 })),
  moniker: fc.oneof(fc.constantFrom("node", "", "  "), fc.string({ unit: "binary", maxLength: 30 })),
  other: fc.record({ txIndex: fc.constantFrom("", "on", "off", "yes"), rpcAddress: fc.oneof(fc.constantFrom("", "tcp://0.0.0.0:26657"), fc.string({ unit: "binary" })) }),
});

/** The NodeInfo rules, applied as `upgrade` must apply them (for a remote that proved REMOTE_ID). */
function acceptable(info: NodeInfo): boolean {
  try {
    validateNodeInfo(info);
    checkCompatible(ourInfo, info);
  } catch {
    return false;
  }
  return info.nodeId === REMOTE_ID;
}

/** Strings survive UTF-8 only when they hold no lone surrogate. */
const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;

// ---------------------------------------------------------------------------------------------

describe("properties of the state machines reading peer bytes", () => {
  describe("reassemble", () => {
    /** Runs `packets` through `reassemble`, or through `reassembleBatches` cut into batches at `cuts` with pings between. */
    function runReassembly(channels: readonly ChannelSpec[], packets: MsgPacket[], batchedAt?: number[]) {
      const r: { messages: string[]; error?: unknown; completed: boolean } = { messages: [], completed: false };
      const observer = {
        next: (m: ChannelMessage) => r.messages.push(`${m.channelId}:${hex(m.message)}`),
        error: (e: unknown) => (r.error = e),
        complete: () => (r.completed = true),
      };
      if (batchedAt === undefined) from(packets).pipe(reassemble(channels)).subscribe(observer);
      else {
        const at = [...new Set(batchedAt.map((c) => c % (packets.length + 1)))].sort((a, b) => a - b);
        const batches: Packet[][] = [];
        let prev = 0;
        for (const c of [...at, packets.length]) {
          batches.push([PING, ...packets.slice(prev, c), PONG]);
          prev = c;
        }
        from(batches).pipe(reassembleBatches(channels)).subscribe(observer);
      }
      return r;
    }

    for (const batched of [false, true]) {
      const name = batched ? "reassembleBatches, over any grouping with pings and pongs between," : "reassemble";
      it(`${name} emits exactly the reference model's whole messages, then its typed error or a clean end; never a partial message`, () => {
        fc.assert(
          fc.property(channelsArb, fc.array(fragmentArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 }), (channels, packets, cuts) => {
            const r = runReassembly(channels, packets, batched ? cuts : undefined);
            const ref = refReassemble(packets, channels, true);
            expect(r.messages).to.deep.equal(ref.messages);
            if (ref.error === undefined) {
              expect(r.error).to.equal(undefined);
              expect(r.completed).to.equal(true);
            } else {
              expect(r.error).to.be.instanceOf(ref.error);
              expect(r.completed).to.equal(false);
            }
          }),
          { numRuns: 500 },
        );
      });
    }

    it("a message after a larger one on the same channel comes in a buffer at most twice its size, the rest of it zeros", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
          const packets: MsgPacket[] = [];
          for (const [i, size] of sizes.entries()) {
            const message = new Uint8Array(size).fill(i);
            for (let at = 0; at < size; at += 1024) packets.push({ type: "msg", channelId: 1, eof: at + 1024 >= size, data: message.subarray(at, at + 1024) });
          }
          const got: Uint8Array[] = [];
          from(packets)
            .pipe(reassemble([{ id: 1, recvMessageCapacity: 1 << 20 }]))
            .subscribe((m) => got.push(m.message));
          expect(got.map((m) => m.length)).to.deep.equal(sizes);
          for (const [i, m] of got.entries()) {
            expect(m.every((b) => b === i)).to.equal(true);
            expect(m.buffer.byteLength, `message ${i} of ${m.length} bytes`).to.be.at.most(Math.max(2 * m.length, 4096));
            // Whatever the buffer holds beyond the message is zeros, never stale memory.
            const whole = new Uint8Array(m.buffer);
            expect(whole.subarray(0, m.byteOffset).every((b) => b === 0) && whole.subarray(m.byteOffset + m.length).every((b) => b === 0), `tail of message ${i}`).to.equal(true);
          }
        }),
        { numRuns: 200 },
      );
    });

    it("what it emits is its own copy: overwriting the fragments afterwards changes no message", () => {
      fc.assert(
        fc.property(fc.array(fragmentArb.map((p) => ({ ...p, channelId: 1 })), { maxLength: 20 }), (packets) => {
          const got: { m: Uint8Array; copy: string }[] = [];
          from(packets)
            .pipe(reassemble([{ id: 1, recvMessageCapacity: 1 << 20 }]))
            .subscribe({ next: (m) => got.push({ m: m.message, copy: hex(m.message) }), error: () => undefined });
          for (const p of packets) p.data.fill(0xee);
          for (const g of got) expect(hex(g.m)).to.equal(g.copy);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("MConnection inbound, in virtual time", () => {
    const channels = [
      { id: 1, recvMessageCapacity: 3000 },
      { id: 2, recvMessageCapacity: 40 },
      { id: 5, recvMessageCapacity: 0 },
    ];

    it("any stream, cut anywhere: the reference's messages, then exactly one end reason (typed), and no timer left", () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(fc.array(streamPieceArb, { maxLength: 24 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (pieces, points, ends) => {
          const stream = Buffer.concat(pieces);
          const scheduler = new VirtualTimeScheduler();
          const duplex = hotDuplex(cutAt(stream, points), ends);
          const conn = new MConnection(duplex, {
            channels,
            config: { sendRate: 0, recvRate: 0, pingBurst: 1000, pingInterval: 1000, pongTimeout: 500 },
            scheduler,
            flushScheduler: scheduler,
            yieldScheduler: scheduler,
          });
          const messages: string[] = [];
          const reasons: CloseReason[] = [];
          conn.messages$.subscribe((m) => messages.push(`${m.channelId}:${hex(m.message)}`));
          conn.ended$.subscribe((r) => reasons.push(r));
          conn.start();
          scheduler.flush();

          // the reference: framing, then packets, then reassembly
          const framed = refPackets(stream, 1034);
          const msgs = framed.packets.filter((p): p is MsgPacket => p.type === "msg");
          const ref = refReassemble(msgs, channels, ends && framed.error === undefined);
          expect(messages).to.deep.equal(ref.messages);
          expect(reasons).to.have.length(1);
          const reason = reasons[0];
          seen.add(reason.kind === "error" ? reason.error.name : reason.kind);
          if (ref.error !== undefined) {
            expect(reason.kind === "error" && reason.error).to.be.instanceOf(ref.error);
          } else if (framed.error === "framing") {
            expect(reason.kind === "error" && reason.error).to.be.instanceOf(ProtocolError);
          } else if (framed.error === "truncated" && ends) {
            expect(reason.kind === "error" && reason.error).to.be.instanceOf(TruncatedError);
          } else if (ends) {
            expect(reason).to.deep.equal({ kind: "remote-closed" });
          } else {
            // a peer that falls silent is pinged, then dropped: it cannot hold the connection
            expect(reason.kind === "error" && reason.error).to.be.instanceOf(PongTimeoutError);
          }
          expect(conn.isRunning).to.equal(false);
          expect(duplex.destroyed).to.equal(true);
          expect(scheduler.actions, "timers left after the end").to.have.length(0);
          // what we wrote is pongs and pings only, each a valid packet
          for (const w of duplex.writes) for (const p of refPackets(w, 1034).packets) expect(p.type).to.be.oneOf(["ping", "pong"]);
        }),
        { numRuns: 300 },
      );
      // the generator reaches every way a connection can end
      expect([...seen].sort()).to.deep.equal(
        ["MalformedPacketError", "MessageTooLargeError", "PacketTooLargeError", "PongTimeoutError", "TruncatedError", "UnknownChannelError", "remote-closed"].sort(),
      );
    });
  });

  describe("stream hand-off between readers", () => {
    it("readDelimited takes one message and leaves every byte after it, even from a synchronous burst", async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), async (body, after, points) => {
          const stream = Buffer.concat([delimited(body), after]);
          const { message, rest } = await readDelimited(hotDuplex(cutAt(stream, points)), { maxSize: 200 });
          expect(hex(message)).to.equal(hex(body));
          const tail = await lastValueFrom(rest.incoming$.pipe(toArray()));
          expect(hex(Buffer.concat(tail))).to.equal(hex(after));
        }),
        { numRuns: 300 },
      );
    });

    it("sealed frames of delimited messages, cut anywhere: reader after reader gets every message in order", async () => {
      const key = new Uint8Array(32).fill(9);
      const bodyArb = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 1500, size: "max" }));
      await fc.assert(
        // each message sealed by its own write (as a writer does), or all in one write
        fc.asyncProperty(fc.array(bodyArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), async (bodies, points, oneWrite) => {
          const sealer = new FrameSealer(key);
          const sealed = oneWrite ? sealer.seal(Buffer.concat(bodies.map(delimited))) : Buffer.concat(bodies.map((b) => sealer.seal(delimited(b))));
          let d = secretDuplex(hotDuplex(cutAt(sealed, points)), { sendKey: key, recvKey: key });
          for (const body of bodies) {
            const r = await readDelimited(d, { maxSize: 1500 });
            expect(hex(r.message)).to.equal(hex(body));
            d = r.rest;
          }
          expect(await lastValueFrom(d.incoming$.pipe(toArray()))).to.deep.equal([]);
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("sealed frames with authentic but arbitrary contents", () => {
    it("each frame gives its data, or FrameLengthError when its length field is over 1024 (nothing of that frame)", () => {
      const key = Buffer.alloc(32, 5);
      const aead = sodium as unknown as {
        crypto_aead_chacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: null, nsec: null, n: Uint8Array, k: Uint8Array): number;
      };
      const lengthArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: FRAME_DATA_MAX }) }, { weight: 1, arbitrary: fc.integer({ min: FRAME_DATA_MAX + 1, max: 2 ** 32 - 1 }) });
      fc.assert(
        fc.property(fc.array(fc.tuple(lengthArb, fc.uint8Array({ minLength: FRAME_DATA_MAX, maxLength: FRAME_DATA_MAX })), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (frames, points) => {
          const wire = Buffer.alloc(frames.length * FRAME_SEALED_SIZE);
          const nonce = Buffer.alloc(12);
          frames.forEach(([length, pad], i) => {
            const plain = Buffer.alloc(FRAME_PLAIN_SIZE);
            plain.writeUInt32LE(length, 0);
            plain.set(pad, 4);
            nonce.writeBigUInt64LE(BigInt(i), 4);
            aead.crypto_aead_chacha20poly1305_ietf_encrypt(wire.subarray(i * FRAME_SEALED_SIZE, (i + 1) * FRAME_SEALED_SIZE), plain, null, null, nonce, key);
          });
          const bad = frames.findIndex(([length]) => length > FRAME_DATA_MAX);
          const good = bad < 0 ? frames : frames.slice(0, bad);
          const expected = hex(Buffer.concat(good.map(([length, pad]) => pad.subarray(0, length))));
          const opener = new FrameOpener(key);
          const got: Buffer[] = [];
          let error: unknown;
          for (const c of cutAt(wire, points)) {
            const r = opener.openUntilError(c);
            got.push(r.data);
            if (r.error !== undefined) {
              error = r.error;
              break;
            }
          }
          expect(hex(Buffer.concat(got))).to.equal(expected);
          if (bad < 0) expect(error).to.equal(undefined);
          else expect(error).to.be.instanceOf(FrameLengthError);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("the secret handshake against a scripted peer", () => {
    const ours = generateNodeKey();

    it("arbitrary bytes instead of a handshake: a typed error, the stream destroyed, never a hang", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => Uint8Array.of(0x22, 0x0a, 0x20, ...k))),
          fc.uint8Array({ maxLength: 2200 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.boolean(),
          async (first, then, points, ends) => {
            const scheduler = new VirtualTimeScheduler();
            const raw = hotDuplex(cutAt(Buffer.concat([first, then]), points), ends);
            const result = secretHandshake(raw, ours, { timeout: 3000, scheduler });
            // a peer that ends is answered at once; a silent one when the deadline passes
            if (!(await settledSoon(result))) {
              expect(ends, "a handshake with a stream that ended must not wait for its deadline").to.equal(false);
              scheduler.flush();
            }
            const r = await outcome(result);
            expect("error" in r, "arbitrary bytes cannot authenticate").to.equal(true);
            if ("error" in r) expect(r.error).to.satisfy((e: unknown) => e instanceof HandshakeError || e instanceof FrameAuthenticationError || (e instanceof TimeoutError && e.stage === "secret-handshake"));
            expect(raw.destroyed).to.equal(true);
            expect(scheduler.actions).to.have.length(0);
          },
        ),
        { numRuns: 150 },
      );
    });

    it("a real key exchange, then arbitrary (authentic) plaintext instead of an AuthSigMessage: HandshakeError (or TimeoutError when it stops early), never a hang", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.uint8Array({ maxLength: 200 }).map((b) => delimited(b)),
            // a well-formed AuthSigMessage signed by someone, over the wrong challenge
            fc.constant(undefined),
          ),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.boolean(),
          async (plaintext, points, ends) => {
            const scheduler = new VirtualTimeScheduler();
            const raw = hotDuplex((writes) => {
              const eph = ephemeralKeys();
              const theirs = writes[0].subarray(3, 35);
              const session = deriveSession(eph.publicKey, theirs, sharedSecret(eph, theirs));
              const body = plaintext ?? delimited(encodeAuthSig(generateNodeKey(), new Uint8Array(32)));
              const sealed = new FrameSealer(session.sendKey).seal(body);
              return cutAt(Buffer.concat([encodeEphemeralMessage(eph.publicKey), sealed]), points);
            }, ends);
            const result = secretHandshake(raw, ours, { timeout: 3000, scheduler });
            if (!(await settledSoon(result))) {
              expect(ends, "a handshake with a stream that ended must not wait for its deadline").to.equal(false);
              scheduler.flush();
            }
            const r = await outcome(result);
            expect("error" in r).to.equal(true);
            if ("error" in r) expect(r.error).to.satisfy((e: unknown) => e instanceof HandshakeError || (e instanceof TimeoutError && e.stage === "secret-handshake"));
            expect(raw.destroyed).to.equal(true);
          },
        ),
        { numRuns: 100 },
      );
    });

    it("a real handshake, then NodeInfo and packets in one burst: the peer is authenticated and nothing after the handshake is lost", async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), async (after, points) => {
          const peerKey = generateNodeKey();
          const raw = hotDuplex((writes) => {
            const eph = ephemeralKeys();
            const theirs = writes[0].subarray(3, 35);
            const session = deriveSession(eph.publicKey, theirs, sharedSecret(eph, theirs));
            const sealed = new FrameSealer(session.sendKey).seal(Buffer.concat([delimited(encodeAuthSig(peerKey, session.challenge)), after]));
            return cutAt(Buffer.concat([encodeEphemeralMessage(eph.publicKey), sealed]), points);
          });
          const conn = await secretHandshake(raw, ours, { timeout: 0 });
          expect(conn.remoteId).to.equal(peerKey.id);
          const rest = await lastValueFrom(conn.duplex.incoming$.pipe(toArray()));
          expect(hex(Buffer.concat(rest))).to.equal(hex(after));
        }),
        { numRuns: 60 },
      );
    });
  });

  describe("NodeInfo", () => {
    it("any NodeInfo: validate accepts it or names a rule; accepted ones with well-formed text round-trip", () => {
      fc.assert(
        fc.property(nodeInfoArb, (info) => {
          let valid = true;
          try {
            validateNodeInfo(info);
          } catch (err) {
            expect(err).to.be.instanceOf(NodeInfoError);
            valid = false;
          }
          const text = [info.nodeId, info.listenAddr, info.network, info.version, info.moniker, info.other.txIndex, info.other.rpcAddress];
          if (valid && text.every(wellFormed)) expect(decodeNodeInfo(encodeNodeInfo(info))).to.deep.equal(info);
        }),
        { numRuns: 500 },
      );
    });

    it("a valid NodeInfo with one byte changed decodes to a NodeInfo or a NodeInfoError, never anything else", () => {
      const base = encodeNodeInfo({ ...ourInfo, nodeId: REMOTE_ID });
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
          const bytes = Uint8Array.from(base);
          bytes[at % bytes.length] ^= xor;
          try {
            validateNodeInfo(decodeNodeInfo(bytes));
          } catch (err) {
            expect(err).to.be.instanceOf(NodeInfoError);
          }
        }),
        { numRuns: 500 },
      );
    });

    it("upgrade: any NodeInfo, cut anywhere and followed by anything, is accepted exactly when the rules allow, and the stream after it is handed on whole", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ weight: 4, arbitrary: nodeInfoArb.map((i) => delimited(encodeNodeInfo(i))) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) }),
          fc.uint8Array({ maxLength: 300 }),
          fc.array(fc.nat(), { maxLength: 8 }),
          fc.boolean(),
          async (infoBytes, after, points, ends) => {
            const scheduler = new VirtualTimeScheduler();
            const raw = hotDuplex(cutAt(Buffer.concat([infoBytes, after]), points), ends);
            const result = upgrade(raw, { authenticate: (duplex) => Promise.resolve({ duplex, remoteId: REMOTE_ID }), ourInfo, handshakeTimeout: 3000, scheduler });
            if (!(await settledSoon(result))) scheduler.flush();
            const r = await outcome(result);
            // what the reference makes of the bytes: one delimited NodeInfo, the rules, the rest
            let expected: NodeInfo | undefined;
            let expectedRest = "";
            try {
              const { message, rest } = await readDelimited(hotDuplex([Buffer.concat([infoBytes, after])]), { maxSize: 10240 });
              const info = decodeNodeInfo(message);
              if (acceptable(info)) expected = info;
              expectedRest = hex(Buffer.concat(await lastValueFrom(rest.incoming$.pipe(toArray()))));
            } catch {
              expected = undefined;
            }
            if (expected === undefined) {
              expect("error" in r, "refused").to.equal(true);
              if ("error" in r)
                expect(r.error).to.satisfy((e: unknown) => e instanceof NodeInfoError || e instanceof PeerRejectedError || e instanceof TimeoutError || e instanceof ProtocolError);
              expect(raw.destroyed).to.equal(true);
            } else {
              expect("ok" in r && r.ok.nodeInfo).to.deep.equal(expected);
              if ("ok" in r) {
                const rest = ends ? await lastValueFrom(r.ok.duplex.incoming$.pipe(toArray())) : [];
                if (ends) expect(hex(Buffer.concat(rest))).to.equal(expectedRest);
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe("memory a huge announced length can take", () => {
    const MAX = 64 << 20;
    const N = 200;
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };

    it(`${N} readers each told a message of ${MAX >> 20} MiB is coming hold only what arrived (under 32 MiB in all)`, async () => {
      const before = used();
      const prefix = encodeUvarint(MAX - 1);
      const bytes = Buffer.concat([prefix, Buffer.alloc(100, 1)]);
      // the packet framer
      const decoders = Array.from({ length: N }, () => new FrameDecoder(MAX));
      for (const d of decoders) d.push(bytes, () => expect.fail("no frame is complete"));
      for (const d of decoders) expect(d.buffered).to.equal(bytes.length);
      // delimited reads (handshake messages, NodeInfo): pending until the deadline
      const scheduler = new VirtualTimeScheduler();
      const reads = Array.from({ length: N }, () => readDelimited(hotDuplex([bytes], false), { maxSize: MAX, timeout: 1000, scheduler }).catch((e: unknown) => e));
      // reassembly: a first fragment of a message as large as the channel allows
      const fragments = Array.from({ length: N }, () =>
        from([{ type: "msg" as const, channelId: 1, eof: false, data: Buffer.alloc(1000, 2) }]).pipe(reassemble([{ id: 1, recvMessageCapacity: MAX }])),
      );
      const subs = fragments.map((f) => f.subscribe({ error: () => undefined }));
      // MConnections whose channel accepts 64 MiB messages, each sent the first packet of one
      const conns = Array.from({ length: 20 }, () => {
        const c = new MConnection(hotDuplex([encodeBatch([{ type: "msg", channelId: 1, eof: false, data: new Uint8Array(1024) }])], false), {
          channels: [{ id: 1, recvMessageCapacity: MAX }],
          config: { sendRate: 0, recvRate: 0 },
          scheduler,
          flushScheduler: scheduler,
          yieldScheduler: scheduler,
        });
        c.start();
        return c;
      });
      await turn();
      const grown = used() - before;
      expect(grown, `grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).to.be.below(32 << 20);
      scheduler.flush(); // deadlines: reads time out, connections are pinged and dropped
      for (const r of await Promise.all(reads)) expect(r).to.be.instanceOf(TruncatedError);
      for (const c of conns) expect(c.closeReason?.kind === "error" && c.closeReason.error).to.be.instanceOf(PongTimeoutError);
      for (const s of subs) s.unsubscribe();
    });
  });
});
