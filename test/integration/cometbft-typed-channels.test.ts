/**
 * rx-mconn/cometbft's descriptors on a Switch: messages arrive decoded and typed, and a peer
 * whose bytes do not decode is ended with a typed error, the others kept.
 */
import { expect } from "chai";
import { filter, firstValueFrom } from "rxjs";
import { consensusChannels, mempoolChannels, type ConsensusMessage, type MempoolMessage } from "../../src/cometbft/index.js";
import { DecodeError, type Switch } from "../../src/p2p/switch.js";
import { SignedMsgType } from "../../src/proto/tendermint/types/types.js";
import { makeSwitch } from "../helpers/switches.js";
import { within } from "../helpers/tcp.js";

describe("rx-mconn/cometbft on a Switch", () => {
  const switches: Switch[] = [];
  afterEach(async () => {
    await Promise.all(switches.splice(0).map((s) => s.stop()));
  });

  async function pair() {
    const reactors = { consensus: { channels: consensusChannels("v0.38") }, mempool: { channels: mempoolChannels("v0.38") } };
    const a = makeSwitch(reactors).sw;
    const b = makeSwitch(reactors).sw;
    switches.push(a, b);
    await a.start();
    await b.start();
    const peer = await within(a.dial(b.address!), 10_000, "dialing");
    return { a, b, peer };
  }

  it("sw.channel(0x22).messages$ yields typed votes, and 0x30 typed transaction batches", async () => {
    const { b, peer } = await pair();
    const vote = firstValueFrom(b.channel<ConsensusMessage>(0x22).messages$);
    const txs = firstValueFrom(b.channel<MempoolMessage>(0x30).messages$);
    const sent: ConsensusMessage = {
      sum: {
        $case: "vote",
        value: {
          vote: {
            type: SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT,
            height: 7n,
            round: 1,
            blockId: { hash: new Uint8Array(32).fill(1), partSetHeader: { total: 1, hash: new Uint8Array(32).fill(2) } },
            timestamp: { seconds: 1_764_547_200n, nanos: 123_456_789 },
            validatorAddress: new Uint8Array(20).fill(3),
            validatorIndex: 2,
            signature: new Uint8Array(64).fill(4),
            extension: new Uint8Array(0),
            extensionSignature: new Uint8Array(0),
          },
        },
      },
    };
    await peer.send(0x22, consensusChannels("v0.38")[2].codec.encode(sent));
    await peer.send(0x30, mempoolChannels("v0.38")[0].codec.encode({ sum: { $case: "txs", value: { txs: [Buffer.from("k=v")] } } }));
    const got = await within(vote, 5000, "the vote");
    expect(got.message).to.deep.equal(sent);
    const batch = await within(txs, 5000, "the transactions");
    expect(batch.message.sum?.$case === "txs" && Buffer.from(batch.message.sum.value.txs[0]).toString()).to.equal("k=v");
  });

  it("bytes that are no consensus message end that peer with a typed error naming the channel", async () => {
    const { b, peer } = await pair();
    const removed = firstValueFrom(b.peers$.pipe(filter((e) => e.type === "removed")));
    // Field 1 (new_round_step) as a length-delimited value longer than the message.
    await peer.send(0x20, Uint8Array.of(0x0a, 0x10, 0x08));
    const event = await within(removed, 10_000, "the peer's removal");
    const error = (event.reason as { error?: Error }).error;
    expect(error).to.be.instanceOf(DecodeError);
    expect(error!.message).to.match(/channel 32 does not decode/);
  });
});
