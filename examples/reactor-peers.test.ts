import { expect } from "chai";
import { map, Subject, take } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import type { Peer, Reactor } from "rx-mconn";
import { connectedPeers } from "rx-mconn/testing";
import { ChatReactor } from "./chat-reactor.js";
import { CHAT } from "./chat-rx.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const id = (letter: string) => letter.repeat(40);
const testScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/** Hands `peer` to `reactor` as the Switch does: addPeer, each message to receive, removePeer when it ends. */
function attach(reactor: Reactor, peer: Peer): void {
  reactor.addPeer?.(peer);
  peer.connection.messages$.subscribe(({ channelId, message }) => reactor.receive?.({ peer, channelId, message }));
  peer.connection.ended$.subscribe((reason) => reactor.removePeer?.(peer, reason));
}

describe("the chat reactor, tested with connectedPeers in virtual time", () => {
  it("reports a peer's line and says a line to it, in the frames they are sent", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const chat = new ChatReactor();
      // b: node b as our reactor sees it; far: our node as b sees it (what b sends goes through it)
      const [far, b] = connectedPeers({ channels: chat.channels, scheduler: ts, ids: [id("a"), id("b")] });
      attach(chat, b);
      cold("1ms x").subscribe(() => far.trySend(CHAT, text("hello")));
      cold("3ms y").subscribe(() => chat.say("hi b"));
      expectObservable(chat.lines$.pipe(take(1))).toBe("1ms (l|)", { l: { from: "bbbbbbbb", text: "hello" } });
      expectObservable(far.connection.channel(CHAT).messages$.pipe(map(str), take(1))).toBe("3ms (m|)", { m: "hi b" });
      ts.schedule(() => void far.connection.close(), 10);
    });
  });

  it("peers join and leave: a line reaches the peers present when it is said", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const chat = new ChatReactor();
      const joins = new Subject<string>();
      const heard = new Subject<string>();
      const join = (name: string, at: number, leaveAt = 40) =>
        ts.schedule(() => {
          const [far, peer] = connectedPeers({ channels: chat.channels, scheduler: ts, ids: [id("a"), id(name)] });
          peer.connection.ended$.subscribe(() => joins.next(`-${name}`));
          attach(chat, peer);
          joins.next(`+${name}`);
          far.connection.channel(CHAT).messages$.subscribe((m) => heard.next(`${name}:${str(m)}`));
          ts.schedule(() => void far.connection.close(), leaveAt - at);
        }, at);
      join("b", 1);
      join("c", 10, 25); // c leaves at 25
      join("d", 20);
      ts.schedule(() => chat.say("one"), 5);
      ts.schedule(() => chat.say("two"), 15);
      ts.schedule(() => chat.say("three"), 30);
      expectObservable(joins.pipe(take(6))).toBe("- b 8ms c 9ms d 4ms r 14ms (xy|)", { b: "+b", c: "+c", d: "+d", r: "-c", x: "-b", y: "-d" });
      expectObservable(heard.pipe(take(5))).toBe("5ms a 9ms (bc) 11ms (de|)", { a: "b:one", b: "b:two", c: "c:two", d: "b:three", e: "d:three" });
    });
  });
});
