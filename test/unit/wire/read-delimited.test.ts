import { expect } from "chai";
import { lastValueFrom, scan, takeWhile, toArray } from "rxjs";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { readDelimited } from "../../../src/wire/read-delimited.js";
import { socketDuplex } from "../../../src/duplex/socket-duplex.js";
import { PacketTooLargeError, TruncatedError } from "../../../src/errors.js";
import { encodeUvarint } from "../../../src/wire/uvarint.js";
import { tcpPair } from "../../helpers/tcp.js";

const framed = (body: Uint8Array) => Buffer.concat([encodeUvarint(body.length), body]);

describe("readDelimited", () => {
  for (const seed of [1, 2, 3]) {
    it(`reads one message and hands over every byte after it (random cuts, seed ${seed})`, async () => {
      const [a, b] = duplexPair({ splitSeed: seed });
      const body = Buffer.alloc(3000, 9);
      const after = Buffer.from("the rest of the stream, in whatever chunks");
      a.write(Buffer.concat([framed(body), after]));
      a.end();
      const { message, rest } = await readDelimited(b, { maxSize: 4096 });
      expect(Buffer.from(message).equals(body)).to.equal(true);
      const tail = await lastValueFrom(rest.incoming$.pipe(toArray()));
      expect(Buffer.concat(tail).toString()).to.equal(after.toString());
    });
  }

  it("rejects an oversize prefix before the body arrives, and a stream that ends early", async () => {
    const [a, b] = duplexPair();
    a.write(encodeUvarint(2 ** 60));
    const err = await readDelimited(b, { maxSize: 10240 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PacketTooLargeError);
    const [c, d] = duplexPair();
    c.write(framed(Buffer.alloc(100)).subarray(0, 50));
    c.end();
    expect(await readDelimited(d, { maxSize: 10240 }).catch((e: unknown) => e)).to.be.instanceOf(TruncatedError);
  });

  it("times out with the error asked for", async () => {
    const [, b] = duplexPair();
    const err = await readDelimited(b, { maxSize: 10, timeout: 20, onTimeout: () => new Error("too slow") }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal("too slow");
  });

  it("on a real socket, loses nothing between the reader and the next subscriber", async () => {
    const tcp = await tcpPair();
    try {
      const server = socketDuplex(tcp.server);
      const body = Buffer.from("hello");
      const after = Buffer.alloc(200_000, 3);
      const written = new Promise<void>((resolve) => tcp.client.write(Buffer.concat([framed(body), after]), () => resolve()));
      const { message, rest } = await readDelimited(server, { maxSize: 100 });
      expect(Buffer.from(message).toString()).to.equal("hello");
      // subscribe later, once every byte was handed to the kernel and a few turns of the event
      // loop have passed (the socket is paused meanwhile)
      await written;
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      const got = await lastValueFrom(
        rest.incoming$.pipe(
          scan((n, c) => n + c.length, 0),
          takeWhile((n) => n < after.length, true),
        ),
      );
      expect(got).to.equal(after.length);
    } finally {
      await tcp.close();
    }
  });
});
