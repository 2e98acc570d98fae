/**
 * The inbound path hands each chunk's packets to its consumers in turn: the keepalive, then
 * every ping and pong, then the messages.
 */
import { expect } from "chai";
import { PingFloodError } from "../../../src/errors.js";
import { MConnection } from "../../../src/mconn/mconnection.js";
import { encodeBatch } from "../../../src/wire/encode-packets.js";
import { PING, type Packet } from "../../../src/wire/packet.js";
import { FakeDuplex, hex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

const channels = [{ id: 1 }, { id: 2 }];
const config = { pingInterval: 50, pongTimeout: 20, sendRate: 0, recvRate: 0, pacingTargetDelay: 0, pingBurst: 2 };
const message = (channelId: number, data: string): Packet => ({ type: "msg", channelId, eof: true, data: hex(data) });

function run(chunk: Uint8Array): { log: string[]; conn: MConnection; writes: string[] } {
  const ts = testScheduler();
  const log: string[] = [];
  let conn: MConnection | undefined;
  let duplex: FakeDuplex | undefined;
  ts.run(({ hot, flush }) => {
    duplex = new FakeDuplex(hot<Uint8Array>("5ms c 9ms |", { c: chunk }), ts);
    conn = new MConnection(duplex, { channels, config });
    conn.keepalive$.subscribe((e) => log.push(e.type));
    conn.messages$.subscribe((m) => log.push(`message ${m.channelId} ${Buffer.from(m.message).toString("hex")}`));
    conn.start();
    flush();
  });
  return { log, conn: conn!, writes: duplex!.writes.map((w) => w.hex) };
}

describe("MConnection inbound order within one chunk (marble)", () => {
  it("reports every ping and pong of a chunk before delivering its messages, then answers the pings in one write", () => {
    const { log, conn, writes } = run(encodeBatch([message(1, "aa"), PING, message(2, "bb"), { type: "pong" }]));
    expect(log).to.deep.equal(["ping-received", "pong-received", "message 1 aa", "message 2 bb", "pong-sent"]);
    expect(writes).to.deep.equal(["021200"]);
    expect(conn.closeReason).to.deep.equal({ kind: "remote-closed" });
  });

  it("a ping beyond the rate ends the connection before the chunk's messages are delivered", () => {
    const { log, conn } = run(encodeBatch([message(1, "aa"), PING, PING, PING]));
    expect(log).to.deep.equal(["ping-received", "ping-received", "ping-received"]);
    const reason = conn.closeReason;
    expect(reason?.kind === "error" && reason.error).to.be.instanceOf(PingFloodError);
  });
});
