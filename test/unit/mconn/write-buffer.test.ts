import { expect } from "chai";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { TransportError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { decodePackets } from "../../../src/wire/decode-packets.js";
import { from, lastValueFrom, NEVER, toArray } from "rxjs";
import { testScheduler } from "../../helpers/marbles.js";

/** A duplex keeping every written chunk (by reference) and answering `writesSettled` as told. */
function keepingDuplex(settled: () => boolean | undefined) {
  const chunks: Uint8Array[] = [];
  const copies: string[] = [];
  const duplex: ByteDuplex = {
    incoming$: NEVER,
    drained$: NEVER,
    remote: "keeping",
    write: (chunk) => {
      chunks.push(chunk);
      copies.push(Buffer.from(chunk).toString("hex"));
      return true;
    },
    pause: () => undefined,
    resume: () => undefined,
    end: () => undefined,
    destroy: () => undefined,
    ...(settled() === undefined ? {} : { writesSettled: () => settled()! }),
  };
  return { duplex, chunks, copies };
}

/** Sends `n` distinct 6 KB messages on channel 1 in virtual time, one flush each. */
function sendDistinct(duplex: ByteDuplex, n: number): Uint8Array[] {
  const sent: Uint8Array[] = [];
  const ts = testScheduler();
  const conn = new MConnection(duplex, { channels: [{ id: 1, sendQueueCapacity: n }], config: { sendRate: 0, recvRate: 0 }, scheduler: ts, flushScheduler: ts, yieldScheduler: ts });
  conn.start();
  for (let i = 0; i < n; i++) {
    const m = new Uint8Array(6000).fill(i + 1);
    sent.push(m);
    expect(conn.trySend(1, m)).to.equal(true);
    ts.flush(); // one flush: the message leaves in its own write
  }
  conn.abort(new TransportError("test over"));
  return sent;
}

async function messagesOf(chunks: readonly Uint8Array[]): Promise<string[]> {
  const packets = await lastValueFrom(from(chunks.map((c) => Uint8Array.from(c))).pipe(decodePackets(), toArray()));
  const out: string[] = [];
  let current = "";
  for (const p of packets) {
    if (p.type !== "msg") continue;
    current += Buffer.from(p.data).toString("hex");
    if (p.eof) {
      out.push(current);
      current = "";
    }
  }
  return out;
}

describe("MConnection write buffers", () => {
  it("a duplex that keeps written chunks (no writesSettled, or false) never sees one overwritten by a later write", async () => {
    for (const settled of [() => undefined, () => false]) {
      const { duplex, chunks, copies } = keepingDuplex(settled);
      const sent = sendDistinct(duplex, 6);
      expect(chunks.length).to.be.at.least(6);
      chunks.forEach((c, i) => expect(Buffer.from(c).toString("hex"), `write ${i}`).to.equal(copies[i]));
      expect(await messagesOf(chunks)).to.deep.equal(sent.map((m) => Buffer.from(m).toString("hex")));
    }
  });

  it("a duplex whose writes are settled gets the same memory back for the next write, with the right bytes each time", async () => {
    const { duplex, chunks, copies } = keepingDuplex(() => true);
    const sent = sendDistinct(duplex, 6);
    expect(new Set(chunks.map((c) => c.buffer)).size, "one buffer reused").to.equal(1);
    // What each write carried (copied at write time) is the messages, in order.
    expect(await messagesOf(copies.map((h) => Buffer.from(h, "hex")))).to.deep.equal(sent.map((m) => Buffer.from(m).toString("hex")));
  });
});
