import { expect } from "chai";
import sinon from "sinon";
import { broadcast } from "../../../src/p2p/broadcast.js";
import type { Peer } from "../../../src/p2p/peer.js";

/** A peer whose connection takes messages (`accepts`) and whose queue has room (`room`). */
function fakePeer(accepts: boolean, room: boolean, hasChannel = true) {
  const trySend = sinon.spy(() => room);
  return { peer: { connection: { acceptsMessages: accepts }, hasChannel: () => hasChannel, trySend } as unknown as Peer, trySend };
}

describe("broadcast", () => {
  it("queues where there is room, drops where there is none, and skips peers that lack the channel or are closing", () => {
    const [open, full, closing, lacking] = [fakePeer(true, true), fakePeer(true, false), fakePeer(false, true), fakePeer(true, true, false)];
    const result = broadcast([open.peer, full.peer, closing.peer, lacking.peer], 7, Uint8Array.of(1));
    expect(result).to.deep.equal({ queued: 1, dropped: 1, skipped: 2 });
    expect(closing.trySend.called, "a closing peer is not offered the message").to.equal(false);
    expect(lacking.trySend.called).to.equal(false);
  });
});
