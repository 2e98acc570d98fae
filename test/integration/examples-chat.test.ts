/**
 * The chat examples in examples/ (and docs/guide.md), run as written: a node written the Rx way
 * and one written as a seed-style Reactor talk to each other.
 */
import { expect } from "chai";
import { firstValueFrom, take, toArray } from "rxjs";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { reactorChatNode } from "../../examples/chat-reactor.js";
import { rxChatNode } from "../../examples/chat-rx.js";
import { nextPeerEvents } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

describe("chat examples", function () {
  this.timeout(20_000);

  it("an Rx chat node and a Reactor chat node exchange lines both ways", async () => {
    const alice = await rxChatNode(generateNodeKey(), "alice");
    const bob = await reactorChatNode(generateNodeKey(), "bob");
    try {
      const joined = Promise.all([nextPeerEvents(alice.sw, "added", 1), nextPeerEvents(bob.sw, "added", 1)]);
      await bob.sw.dial(alice.sw.address!);
      await joined;
      const toBob = firstValueFrom(bob.lines$.pipe(take(2), toArray()));
      const toAlice = firstValueFrom(alice.lines$.pipe(take(1), toArray()));
      alice.say("hi bob");
      alice.say("how are you?");
      bob.say("fine, alice");
      expect(await within(toBob, 5000, "alice's lines at bob")).to.deep.equal([
        { from: "alice", text: "hi bob" },
        { from: "alice", text: "how are you?" },
      ]);
      expect(await within(toAlice, 5000, "bob's line at alice")).to.deep.equal([{ from: "bob", text: "fine, alice" }]);
    } finally {
      await Promise.all([alice.sw.stop(), bob.sw.stop()]);
    }
  });
});
