import { expect } from "chai";
import { catchError, map, Observable, of, Subject } from "rxjs";
import sinon from "sinon";
import { blocksyncCodec, fetchBlock, type BlocksyncMessage, type BlocksyncSwitch } from "../../../src/cometbft/index.js";
import type { Peer } from "../../../src/p2p/peer.js";
import type { Envelope } from "../../../src/p2p/reactor.js";
import type { PeerEvent, SwitchChannel } from "../../../src/p2p/switch.js";
import { testScheduler } from "../../helpers/marbles.js";

function fakePeer(id: string, queued: Observable<boolean> = of(true)): Peer {
  return { id, queue: sinon.stub().returns(queued) } as unknown as Peer;
}

function fakeSwitch(messages$: Observable<Envelope<BlocksyncMessage>>, peers$: Observable<PeerEvent> = new Subject<PeerEvent>()): BlocksyncSwitch {
  return { channel: <T>() => ({ descriptor: { id: 0x40 }, messages$ }) as unknown as SwitchChannel<T>, peers$ };
}

const block = (peer: Peer, height: bigint): Envelope<BlocksyncMessage> => ({
  peer,
  channelId: 0x40,
  message: { sum: { $case: "blockResponse", value: { block: { header: { height } as never, data: undefined, evidence: undefined, lastCommit: undefined }, extCommit: undefined } } },
});
const noBlock = (peer: Peer, height: bigint): Envelope<BlocksyncMessage> => ({ peer, channelId: 0x40, message: { sum: { $case: "noBlockResponse", value: { height } } } });
const named = (source: Observable<unknown>) => source.pipe(catchError((e: Error) => of(`${e.name}: ${e.message}`)));

describe("fetchBlock", () => {
  const peer = fakePeer("aa");
  const other = fakePeer("bb");

  it("queues one BlockRequest for the height on 0x40, then emits the peer's block and completes", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const p = fakePeer("aa");
      const messages = hot("-a-b-c-d", { a: block(other, 5n), b: block(p, 4n), c: block(p, 5n), d: block(p, 5n) });
      expectObservable(fetchBlock(fakeSwitch(messages), p, 5n).pipe(map((r) => r.block?.header?.height))).toBe("-----(c|)", { c: 5n });
    });
    const p = fakePeer("aa");
    fetchBlock(fakeSwitch(new Subject()), p, 5n).subscribe().unsubscribe();
    const { queue } = p as unknown as { queue: sinon.SinonStub };
    expect(queue.calledOnce).to.equal(true);
    expect(queue.firstCall.args[0]).to.equal(0x40);
    expect(blocksyncCodec.decode(queue.firstCall.args[1] as Uint8Array)).to.deep.equal({ sum: { $case: "blockRequest", value: { height: 5n } } });
  });

  it("fails with BlockNotAvailableError when the peer answers NoBlockResponse for the height", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages = hot("--a-b", { a: noBlock(peer, 6n), b: noBlock(peer, 5n) });
      expectObservable(named(fetchBlock(fakeSwitch(messages), peer, 5n))).toBe("----(e|)", { e: "BlockNotAvailableError: peer aa does not have block 5" });
    });
  });

  it("fails with BlockRequestTimeoutError when no answer comes within timeoutMs", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const messages = hot("--a", { a: block(other, 5n) });
      expectObservable(named(fetchBlock(fakeSwitch(messages), peer, 5n, { timeoutMs: 100 }))).toBe("100ms (e|)", {
        e: "BlockRequestTimeoutError: peer aa did not answer the request for block 5 within 100 ms",
      });
    });
  });

  it("fails with PeerLeftError when the peer is removed first, and with SendRefusedError when the request cannot be queued", () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const peers = hot<PeerEvent>("---r", { r: { type: "removed", peer, reason: { type: "stopped" } } as unknown as PeerEvent });
      expectObservable(named(fetchBlock(fakeSwitch(hot("-"), peers), peer, 5n))).toBe("---(e|)", { e: "PeerLeftError: peer aa left before answering" });
      const refusing = fakePeer("cc", cold("--f", { f: false }));
      expectObservable(named(fetchBlock(fakeSwitch(hot("-")), refusing, 5n))).toBe("--(e|)", { e: "SendRefusedError: could not queue a message for peer cc on channel 0x40" });
    });
  });
});
