import { expect } from "chai";
import { duplexPair } from "../../../../src/duplex/duplex-pair.js";
import { HandshakeError } from "../../../../src/secret/errors.js";
import { SimRandom } from "../../../../src/testing/sim/random.js";
import { KeyRing, standInAuthenticator, type SimKey } from "../../../../src/testing/sim/stand-in-auth.js";
import { firstValueFrom } from "rxjs";

describe("standInAuthenticator (the simulation's stand-in for SecretConnection)", () => {
  const ring = new KeyRing();
  const random = new SimRandom(9);
  const alice = ring.create(random.fork(1));
  const bob = ring.create(random.fork(2));

  it("derives 40-hex IDs from the keys and proves them both ways, early bytes following the proof", async () => {
    expect(alice.id).to.match(/^[0-9a-f]{40}$/);
    expect(alice.id).to.not.equal(bob.id);
    const [x, y] = duplexPair();
    const [ax, by] = await Promise.all([
      standInAuthenticator(alice, ring, random.fork(3))(x, Buffer.from("early")),
      standInAuthenticator(bob, ring, random.fork(4))(y),
    ]);
    expect(ax.remoteId).to.equal(bob.id);
    expect(by.remoteId).to.equal(alice.id);
    expect(ax.sentEarly).to.equal(true);
    const first = await firstValueFrom(by.duplex.incoming$);
    expect(Buffer.from(first).toString()).to.equal("early");
    x.destroy();
    y.destroy();
  });

  it("refuses a node that claims an ID whose key it does not hold", async () => {
    const impostor: SimKey = { id: bob.id, secret: new Uint8Array(32).fill(7) };
    const [x, y] = duplexPair();
    const results = await Promise.allSettled([
      standInAuthenticator(alice, ring, random.fork(5))(x),
      standInAuthenticator(impostor, ring, random.fork(6))(y),
    ]);
    expect(results[0].status).to.equal("rejected");
    const reason = (results[0] as PromiseRejectedResult).reason as HandshakeError;
    expect(reason).to.be.instanceOf(HandshakeError);
    expect(reason.rule).to.equal("signature");
    x.destroy();
    y.destroy();
  });

  it("fails with a typed error when the stream ends during the handshake", async () => {
    const [x, y] = duplexPair();
    const step = standInAuthenticator(alice, ring, random.fork(7))(x);
    y.destroy();
    const error = await step.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(HandshakeError).with.property("rule", "truncated");
  });
});
