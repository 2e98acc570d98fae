import { expect } from "chai";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { PeerRejectedError } from "../../../src/p2p/errors.js";
import type { NodeInfo } from "../../../src/p2p/node-info.js";
import { upgrade } from "../../../src/p2p/upgrade.js";
import { generateNodeKey, type NodeKey } from "../../../src/secret/node-key.js";
import { secretAuthenticator } from "../../../src/p2p/secret-authenticator.js";
import { recording } from "../../helpers/recording-duplex.js";

const infoOf = (key: NodeKey, port: number): NodeInfo => ({
  protocolVersion: { p2p: 8, block: 11, app: 0 },
  nodeId: key.id,
  listenAddr: `127.0.0.1:${port}`,
  network: "early",
  version: "1.0.0",
  channels: Uint8Array.of(0x20, 0x30),
  moniker: `node-${port}`,
  other: { txIndex: "on", rpcAddress: "" },
});

/** Sizes on the wire: the ephemeral-key message and one sealed frame. */
const EPHEMERAL = 35 * 2;
const FRAME = 1044 * 2;
const sizes = (writes: string[]) => writes.map((w) => w.length);

describe("upgrade: NodeInfo in the frame of the AuthSigMessage", () => {
  const a = generateNodeKey();
  const b = generateNodeKey();

  it("inbound on both ends (no expected ID): each side writes twice, its key and one frame with AuthSig and NodeInfo", async () => {
    const [ra, rb] = duplexPair({ splitSeed: 7 });
    const ta = recording(ra);
    const tb = recording(rb);
    const [ua, ub] = await Promise.all([
      upgrade(ta.duplex, { authenticate: secretAuthenticator(a), ourInfo: infoOf(a, 1), handshakeTimeout: 3000 }),
      upgrade(tb.duplex, { authenticate: secretAuthenticator(b), ourInfo: infoOf(b, 2), handshakeTimeout: 3000 }),
    ]);
    expect(ua.nodeInfo).to.deep.equal(infoOf(b, 2));
    expect(ub.nodeInfo).to.deep.equal(infoOf(a, 1));
    expect(sizes(ta.writes)).to.deep.equal([EPHEMERAL, FRAME]);
    expect(sizes(tb.writes)).to.deep.equal([EPHEMERAL, FRAME]);
    // the stream after the handshake is whole in both directions
    const got = new Promise<string>((resolve) => ub.duplex.incoming$.subscribe((c) => resolve(Buffer.from(c).toString())));
    ua.duplex.write(Buffer.from("after"));
    expect(await got).to.equal("after");
  });

  it("a dialer with an expected ID waits for the proof: three writes, and the listener's early NodeInfo is read as usual", async () => {
    const [ra, rb] = duplexPair({ splitSeed: 8 });
    const ta = recording(ra);
    const tb = recording(rb);
    const [ua, ub] = await Promise.all([
      upgrade(ta.duplex, { authenticate: secretAuthenticator(a), ourInfo: infoOf(a, 1), expectedId: b.id, handshakeTimeout: 3000 }),
      upgrade(tb.duplex, { authenticate: secretAuthenticator(b), ourInfo: infoOf(b, 2), handshakeTimeout: 3000 }),
    ]);
    expect(ua.remoteId).to.equal(b.id);
    expect(ub.nodeInfo).to.deep.equal(infoOf(a, 1));
    expect(sizes(ta.writes)).to.deep.equal([EPHEMERAL, FRAME, FRAME]);
    expect(sizes(tb.writes)).to.deep.equal([EPHEMERAL, FRAME]);
  });

  it("a dialer that reaches another node than the one it dialed never sends it its NodeInfo", async () => {
    const [ra, rb] = duplexPair();
    const ta = recording(ra);
    const other = generateNodeKey();
    const dial = upgrade(ta.duplex, { authenticate: secretAuthenticator(a), ourInfo: infoOf(a, 1), expectedId: other.id, handshakeTimeout: 3000 });
    const listen = upgrade(rb, { authenticate: secretAuthenticator(b), ourInfo: infoOf(b, 2), handshakeTimeout: 3000 });
    const err = await dial.then(
      () => expect.fail("the dial must be refused"),
      (e: unknown) => e,
    );
    await listen.catch(() => undefined);
    expect(err).to.be.instanceOf(PeerRejectedError);
    expect((err as PeerRejectedError).rule).to.equal("dial-id-mismatch");
    expect(sizes(ta.writes)).to.deep.equal([EPHEMERAL, FRAME]);
  });

  it("an authenticator that does not send early bytes gets the NodeInfo written after it", async () => {
    const [ra, rb] = duplexPair();
    const plain = secretAuthenticator(a);
    const late = recording(ra);
    const [ua, ub] = await Promise.all([
      upgrade(late.duplex, { authenticate: async (d) => plain(d), ourInfo: infoOf(a, 1), handshakeTimeout: 3000 }),
      upgrade(rb, { authenticate: secretAuthenticator(b), ourInfo: infoOf(b, 2), handshakeTimeout: 3000 }),
    ]);
    expect(ua.nodeInfo.nodeId).to.equal(b.id);
    expect(ub.nodeInfo.nodeId).to.equal(a.id);
    expect(sizes(late.writes)).to.deep.equal([EPHEMERAL, FRAME, FRAME]);
  });
});
