import { expect } from "chai";
import { firstValueFrom } from "rxjs";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { WriteStallError } from "../../src/errors.js";
import { MConnection } from "../../src/mconn/mconnection.js";
import { encodeBatch } from "../../src/wire/encode-packets.js";
import { tcpPair, within } from "../helpers/tcp.js";

describe("MConnection write stall on real sockets", function () {
  this.timeout(60_000);

  it("a peer that never reads, though it keeps sending, is ended with WriteStallError after writeStallTimeout", async () => {
    const tcp = await tcpPair();
    try {
      tcp.server.pause(); // the peer reads nothing: its receive window closes, then ours fills
      const chatter = setInterval(() => tcp.server.write(encodeBatch([{ type: "msg", channelId: 1, eof: true, data: Uint8Array.of(7) }])), 20);
      const conn = new MConnection(socketDuplex(tcp.client), {
        channels: [{ id: 1, sendQueueCapacity: 4 }],
        config: { sendRate: 0, recvRate: 0, writeStallTimeout: 1000 },
      });
      let received = 0;
      conn.channel(1).messages$.subscribe(() => received++);
      conn.start();
      const payload = new Uint8Array(64 * 1024);
      let sent = 0;
      const sending = (async () => {
        while (conn.isRunning && (await conn.send(1, payload))) sent++;
      })();
      const reason = await within(firstValueFrom(conn.ended$), 30_000, "the connection to end");
      clearInterval(chatter);
      await sending;
      expect(reason.kind).to.equal("error");
      expect(reason.kind === "error" && reason.error).to.be.instanceOf(WriteStallError);
      expect(received, "the peer's messages kept arriving").to.be.greaterThan(5);
      expect(sent, "messages were queued until the socket filled").to.be.greaterThan(4);
      // when it fires is pinned in virtual time by test/unit/mconn/write-stall.test.ts; here, that it is the stall's
      expect((reason as { error: Error }).error.message).to.include("for 1000 ms");
    } finally {
      await tcp.close();
    }
  });
});
