import { expect } from "chai";
import { map, type Observable } from "rxjs";
import { Peer, type Dropped } from "../../../src/p2p/peer.js";
import type { NodeInfo } from "../../../src/p2p/node-info.js";
import type { MConnection } from "../../../src/mconn/mconnection.js";
import { connectedPair } from "../../../src/testing/index.js";
import { testScheduler } from "../../helpers/marbles.js";

const info = (channels: number[]): NodeInfo => ({
  protocolVersion: { p2p: 8, block: 11, app: 0 },
  nodeId: "a".repeat(40),
  listenAddr: "127.0.0.1:1",
  network: "n",
  version: "",
  channels: Uint8Array.from(channels),
  moniker: "m",
  other: { txIndex: "", rpcAddress: "" },
});
const peerOn = (conn: MConnection, remoteChannels: number[]) =>
  new Peer(conn, { id: "a".repeat(40), isOutbound: true, isPersistent: false, nodeInfo: info(remoteChannels), socketAddr: "pair" });

describe("Peer lifecycle (marble)", () => {
  it("trySend$ queues what fits and reports the rest on dropped$ with the reason; dropped$ completes when the peer ends", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1, sendQueueCapacity: 1 }, { id: 2 }], scheduler: ts });
      b.channel(1).messages$.subscribe();
      // the remote lists channel 1 only
      const peer = peerOn(a, [1]);
      const m = Uint8Array.of(1);
      const reasons = (d$: Observable<Dropped>) => d$.pipe(map((d) => `${d.channelId}:${d.reason}`));
      // (subscribed before the sends below are scheduled, so it sees those of frame 0)
      expectObservable(reasons(peer.dropped$)).toBe("(qq) 2ms l 1ms u 1ms |", { q: "1:queue-full", l: "2:peer-lacks-channel", u: "9:unknown-channel" });
      // frame 0: three on channel 1 in one turn (capacity 1: two do not fit); frame 6: channel 2
      // (the remote lacks it); frame 8: channel 9 (unknown here); frame 10: closed
      cold("(xyz) 1ms u 1ms v").subscribe((k) => {
        const channelId = { x: 1, y: 1, z: 1, u: 2, v: 9 }[k]!;
        peer.trySend$.next({ channelId, message: m });
      });
      ts.schedule(() => void a.close(), 10);
      expectObservable(peer.ended$.pipe(map((r) => r.kind))).toBe("10ms (c|)", { c: "closed" });
    });
  });

  it("send$ holds what does not fit the queue and delivers it in order per channel; past sendBufferSize it refuses (buffer-full), said once on errors$", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1, sendQueueCapacity: 1 }, { id: 2, sendQueueCapacity: 1 }], scheduler: ts, config: { sendBufferSize: 6 } });
      const peer = peerOn(a, [1, 2]);
      const text = (m: Uint8Array) => String.fromCharCode(...m);
      // frame 1: three 2-byte messages on each channel in one turn: each channel queues one,
      // holds the others (8 bytes > 6: the last one on channel 2 is refused)
      cold("-(abcdef)").subscribe((k) => peer.send$.next({ channelId: "abc".includes(k) ? 1 : 2, message: Uint8Array.of(k.charCodeAt(0), 0x30) }));
      expectObservable(b.channel(1).messages$.pipe(map(text))).toBe("-(xyz) 4ms |", { x: "a0", y: "b0", z: "c0" });
      expectObservable(b.channel(2).messages$.pipe(map(text))).toBe("-(uv) 5ms |", { u: "d0", v: "e0" });
      expectObservable(peer.dropped$.pipe(map((d) => `${d.channelId}:${d.reason}:${text(d.message)}`))).toBe("-r 8ms |", { r: "2:buffer-full:f0" });
      expectObservable(peer.errors$.pipe(map((e) => e.reason))).toBe("-e", { e: "send-buffer-full" });
      ts.schedule(() => void a.close(), 10);
    });
  });

  it("status$ gives per-channel counters and rates each period, and completes when the peer ends", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = connectedPair({ channels: [{ id: 1 }], scheduler: ts });
      b.channel(1).messages$.subscribe();
      const peer = peerOn(a, [1]);
      ts.schedule(() => void a.trySend(1, new Uint8Array(500)), 1500);
      ts.schedule(() => void a.close(), 3500);
      expectObservable(peer.status$(1000, ts).pipe(map((s) => `${s.channels[0].sentBytes}/${Math.round(s.sendRate)}`))).toBe("s 999ms t 999ms u 999ms v 499ms |", {
        s: "0/0",
        t: "0/0",
        u: "500/500",
        v: "500/0",
      });
    });
  });

  it("queue() waits for room and emits false for a channel the peer lacks", () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const [a] = connectedPair({ channels: [{ id: 1 }, { id: 2 }], scheduler: ts });
      const peer = peerOn(a, [1]);
      expectObservable(peer.queue(2, Uint8Array.of(1))).toBe("(f|)", { f: false });
      expectObservable(peer.queue(1, Uint8Array.of(1))).toBe("(t|)", { t: true });
      expect(peer.hasChannel(2)).to.equal(false);
      ts.schedule(() => void a.close(), 5);
    });
  });
});
