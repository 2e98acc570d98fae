/**
 * blocks$ on real switches on loopback: two serving peers answer BlockRequests with the block a
 * CometBFT node sent (test/vectors/cometbft-messages), one of them lacking the odd heights.
 */
import { ConfigError } from "../../../src/error-base.js";
import { expect } from "chai";
import { catchError, delay, firstValueFrom, lastValueFrom, map, Observable, of, Subject, toArray } from "rxjs";
import sinon from "sinon";
import { blocks$, blocksyncChannels, blocksyncCodec, type BlocksSwitch, type BlocksyncMessage } from "../../../src/cometbft/index.js";
import { MemoryBudget } from "../../../src/mconn/memory-budget.js";
import type { Peer } from "../../../src/p2p/peer.js";
import { BlockResponse } from "../../../src/proto/tendermint/blocksync/types.js";
import type { Envelope } from "../../../src/p2p/reactor.js";
import type { PeerEvent, Switch, SwitchChannel } from "../../../src/p2p/switch.js";
import { testScheduler } from "../../helpers/marbles.js";
import { makeSwitch } from "../../helpers/switches.js";
import { within } from "../../helpers/tcp.js";
import { readVectors } from "../../helpers/vectors.js";

const recorded = readVectors<{ messages: { channel: number; type: string; hex: string }[] }>("cometbft-messages/v0.38.26.json").messages.find((m) => m.type === "blockResponse")!;
const template = blocksyncCodec.decode(Buffer.from(recorded.hex, "hex"));

/** The recorded BlockResponse with its header's height set to `height`. */
function blockAt(height: bigint): BlocksyncMessage {
  if (template.sum?.$case !== "blockResponse") throw new Error("the vector is no BlockResponse");
  const block = template.sum.value.block!;
  return { sum: { $case: "blockResponse", value: { ...template.sum.value, block: { ...block, header: { ...block.header!, height } } } } };
}

describe("blocks$", () => {
  const switches: Switch[] = [];
  afterEach(async () => {
    await Promise.all(switches.splice(0).map((s) => s.stop()));
  });

  /** A started switch that answers each BlockRequest after `ms` (NoBlockResponse where `has` says no), counting open requests. */
  async function server(has: (h: bigint) => boolean, ms: number) {
    const { sw } = makeSwitch({ blocksync: { channels: blocksyncChannels("v0.38") } });
    switches.push(sw);
    const stats = { open: 0, maxOpen: 0, asked: [] as bigint[] };
    sw.channel<BlocksyncMessage>(0x40).messages$.subscribe(({ peer, message }) => {
      if (message.sum?.$case !== "blockRequest") return;
      const height = message.sum.value.height;
      stats.asked.push(height);
      stats.maxOpen = Math.max(stats.maxOpen, ++stats.open);
      setTimeout(() => {
        stats.open--;
        const answer: BlocksyncMessage = has(height) ? blockAt(height) : { sum: { $case: "noBlockResponse", value: { height } } };
        void peer.send(0x40, blocksyncCodec.encode(answer));
      }, ms);
    });
    await sw.start();
    return { sw, stats };
  }

  it("fetches a range in height order from every peer, at most maxPendingPerPeer open on each, asking another peer for a height one lacks", async () => {
    const full = await server(() => true, 20);
    const even = await server((h) => h % 2n === 0n, 5);
    const { sw: client } = makeSwitch({ blocksync: { channels: blocksyncChannels("v0.38") } });
    switches.push(client);
    await client.start();
    await within(client.dial(full.sw.address!), 10_000, "dialing");
    await within(client.dial(even.sw.address!), 10_000, "dialing");
    const heights = await within(lastValueFrom(blocks$(client, 1n, 12n, { maxPendingPerPeer: 2 }).pipe(map((r) => r.block!.header!.height), toArray())), 20_000, "the blocks");
    expect(heights).to.deep.equal(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    expect(full.stats.maxOpen).to.be.within(1, 2);
    expect(even.stats.maxOpen).to.be.within(1, 2);
    expect(even.stats.asked.length, "the second peer took part").to.be.greaterThan(0);
    // Every odd height the second peer was asked for was then asked of the first.
    for (const h of even.stats.asked.filter((x) => x % 2n === 1n)) expect(full.stats.asked).to.include(h);
  });

  describe("(marbles)", () => {
    const response = (peer: Peer, height: bigint): Envelope<BlocksyncMessage> => ({ peer, channelId: 0x40, message: blockAt(height) });
    const fakePeer = (id: string) => ({ id, hasChannel: () => true, queue: sinon.stub().returns(of(true)) }) as unknown as Peer;
    const fakeSwitch = (peers: Peer[], messages$: Observable<Envelope<BlocksyncMessage>>): BlocksSwitch => ({
      peers: new Map(peers.map((p) => [p.id, p])),
      peers$: new Subject<PeerEvent>(),
      channel: <T>() => ({ messages$ }) as unknown as SwitchChannel<T>,
    });

    it("asks another peer for a height whose request timed out, and fails with the last error once every peer failed it", () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const [a, b] = [fakePeer("aa"), fakePeer("bb")];
        // 1 goes to a, 2 to b (the least busy); b never answers, so 2 goes to a at 5 ms, which answers at 7.
        const messages = hot("--x----y", { x: response(a, 1n), y: response(a, 2n) });
        const heights = blocks$(fakeSwitch([a, b], messages), 1n, 2n, { timeoutMs: 5, maxPendingPerPeer: 1 }).pipe(map((r) => r.block!.header!.height));
        expectObservable(heights).toBe("--x----(y|)", { x: 1n, y: 2n });
      });
      testScheduler().run(({ hot, expectObservable }) => {
        const a = fakePeer("aa");
        const failing = blocks$(fakeSwitch([a], hot("-")), 1n, 1n, { timeoutMs: 5 }).pipe(catchError((e: Error) => of(e.name)));
        expectObservable(failing).toBe("-----(e|)", { e: "BlockRequestTimeoutError" });
      });
    });

    it("completes at once for an empty range, refuses limits below 1, asks only the chosen peers, and waits for a peer when there is none", () => {
      expect(() => blocks$(fakeSwitch([], new Subject()), 1n, 2n, { maxPendingPerPeer: 0 })).to.throw(ConfigError, /at least 1/);
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(blocks$(fakeSwitch([], hot("-")), 5n, 4n)).toBe("|");
        const [a, b] = [fakePeer("aa"), fakePeer("bb")];
        const sw = fakeSwitch([a, b], hot("--x", { x: response(b, 1n) }));
        expectObservable(blocks$(sw, 1n, 1n, { peers: (p) => p.id === "bb" }).pipe(map((r) => r.block!.header!.height))).toBe("--(x|)", { x: 1n });
      });
      const a = fakePeer("aa");
      const peers = new Map<string, Peer>();
      const peers$ = new Subject<PeerEvent>();
      const messages = new Subject<Envelope<BlocksyncMessage>>();
      const got: bigint[] = [];
      const sub = blocks$({ peers, peers$, channel: <T>() => ({ messages$: messages }) as unknown as SwitchChannel<T> }, 1n, 1n).subscribe((r) => got.push(r.block!.header!.height));
      const queue = (a as unknown as { queue: sinon.SinonStub }).queue;
      expect(queue.callCount, "no peer yet").to.equal(0);
      peers.set(a.id, a);
      peers$.next({ type: "added", peer: a });
      expect(queue.callCount).to.equal(1);
      messages.next(response(a, 1n));
      expect(got).to.deep.equal([1n]);
      sub.unsubscribe();
    });

    it("holds requests to the window ahead of the next block to emit", async () => {
      const a = fakePeer("aa");
      const messages = new Subject<Envelope<BlocksyncMessage>>();
      const sub = blocks$(fakeSwitch([a], messages), 1n, 100n, { window: 3, maxPendingPerPeer: 50 }).subscribe();
      const queue = (a as unknown as { queue: sinon.SinonStub }).queue;
      expect(queue.callCount).to.equal(3);
      messages.next(response(a, 2n));
      expect(queue.callCount, "2 arrived before 1: nothing more").to.equal(3);
      messages.next(response(a, 1n));
      expect(queue.callCount).to.equal(5);
      sub.unsubscribe();
      await firstValueFrom(of(0).pipe(delay(0)));
    });

    it("draws blocks held out of order from the memory budget: one that does not fit is let go and asked again once the next block has come", () => {
      const a = fakePeer("aa");
      const messages = new Subject<Envelope<BlocksyncMessage>>();
      const size = (h: bigint) => BlockResponse.encode((blockAt(h).sum as { value: BlockResponse }).value).finish().length;
      const budget = new MemoryBudget(size(2n) + size(3n) + 10);
      const got: bigint[] = [];
      let done = false;
      const sub = blocks$({ ...fakeSwitch([a], messages), memoryBudget: budget }, 1n, 4n, { maxPendingPerPeer: 50 }).subscribe({ next: (r) => got.push(r.block!.header!.height), complete: () => (done = true) });
      const queue = (a as unknown as { queue: sinon.SinonStub }).queue;
      const asked = () => queue.args.map(([, bytes]) => (blocksyncCodec.decode(bytes as Uint8Array).sum as { value: { height: bigint } }).value.height);
      expect(asked()).to.deep.equal([1n, 2n, 3n, 4n]);
      messages.next(response(a, 2n));
      messages.next(response(a, 3n));
      expect(budget.used, "2 and 3 held").to.equal(size(2n) + size(3n));
      messages.next(response(a, 4n)); // no room: let go
      expect(budget.used).to.equal(size(2n) + size(3n));
      messages.next(response(a, 1n)); // never held: emitted with 2 and 3, which frees their memory
      expect(got).to.deep.equal([1n, 2n, 3n]);
      expect(budget.used).to.equal(0);
      expect(asked(), "4 asked again").to.deep.equal([1n, 2n, 3n, 4n, 4n]);
      messages.next(response(a, 4n));
      expect([got, done, budget.used, budget.highWater]).to.deep.equal([[1n, 2n, 3n, 4n], true, 0, size(2n) + size(3n)]);
      sub.unsubscribe();
    });
  });
});
