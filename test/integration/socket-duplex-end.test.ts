import { expect } from "chai";
import { once } from "node:events";
import sinon from "sinon";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { tcpPair, within } from "../helpers/tcp.js";

describe("socketDuplex end(flushed) on real sockets", () => {
  it("calls flushed once everything written has left", async () => {
    const tcp = await tcpPair();
    try {
      const flushed = sinon.spy();
      const duplex = socketDuplex(tcp.client);
      duplex.write(new Uint8Array(1024));
      await within(
        new Promise<void>((resolve) => {
          duplex.end(() => {
            flushed();
            resolve();
          });
        }),
        5_000,
        "flushed",
      );
      expect(flushed.calledOnce).to.equal(true);
    } finally {
      await tcp.close();
    }
  });

  it("never calls flushed when the socket is destroyed before its writes left, or before end()", async () => {
    const tcp = await tcpPair();
    try {
      tcp.server.pause(); // the peer reads nothing: most of what we write stays with us
      const duplex = socketDuplex(tcp.client);
      duplex.write(new Uint8Array(16 * 1024 * 1024));
      const flushed = sinon.spy();
      duplex.end(flushed);
      const closed = once(tcp.client, "close");
      tcp.client.destroy();
      await closed;
      await new Promise((resolve) => setImmediate(resolve));
      duplex.end(flushed); // already destroyed
      await new Promise((resolve) => setImmediate(resolve));
      expect(flushed.called, "flushed after a destroy").to.equal(false);
    } finally {
      await tcp.close();
    }
  });
});
