import { expect } from "chai";
import { toConsensusEvent } from "../../../src/cometbft/consensus-event.js";
import type { ConsensusMessage } from "../../../src/cometbft/index.js";
import type { Peer } from "../../../src/p2p/peer.js";
import { SignedMsgType } from "../../../src/proto/tendermint/types/types.js";

const { SIGNED_MSG_TYPE_PREVOTE: PREVOTE, SIGNED_MSG_TYPE_PRECOMMIT: PRECOMMIT, SIGNED_MSG_TYPE_PROPOSAL: PROPOSAL } = SignedMsgType;

const peer = { id: "aa" } as unknown as Peer;
const event = (sum: ConsensusMessage["sum"]) => toConsensusEvent(peer, { sum }, 7);

describe("toConsensusEvent", () => {
  it("is undefined for kinds that are no event, empty messages and votes of no known type", () => {
    expect(event(undefined)).to.equal(undefined);
    expect(event({ $case: "newValidBlock", value: { height: 1n, round: 0, blockPartSetHeader: undefined, blockParts: undefined, isCommit: false } })).to.equal(undefined);
    expect(event({ $case: "hasProposalBlockPart", value: { height: 1n, round: 0, index: 0 } })).to.equal(undefined);
    expect(event({ $case: "proposal", value: { proposal: undefined } })).to.equal(undefined);
    expect(event({ $case: "vote", value: { vote: undefined } })).to.equal(undefined);
    expect(event({ $case: "blockPart", value: { height: 1n, round: 0, part: undefined } })).to.equal(undefined);
    expect(event({ $case: "hasVote", value: { height: 1n, round: 0, type: PROPOSAL, index: 0 } }), "a proposal's type").to.equal(undefined);
    const vote = { type: PROPOSAL, height: 1n, round: 0, blockId: undefined, timestamp: undefined, validatorAddress: new Uint8Array(0), validatorIndex: 0, signature: new Uint8Array(0), extension: new Uint8Array(0), extensionSignature: new Uint8Array(0) };
    expect(event({ $case: "vote", value: { vote } })).to.equal(undefined);
  });

  it("fills what a message leaves out: no block id, no proof, an unknown step", () => {
    const proposal = event({ $case: "proposal", value: { proposal: { type: PROPOSAL, height: 2n, round: 1, polRound: -1, blockId: undefined, timestamp: undefined, signature: new Uint8Array(0) } } });
    expect(proposal?.event).to.deep.include({ kind: "proposal", height: 2n, round: 1, partsTotal: 0, blockHash: new Uint8Array(0), partsHash: new Uint8Array(0), receivedAt: 7 });
    expect(proposal?.key).to.equal("p/2/1");
    const vote = { type: PRECOMMIT, height: 2n, round: 0, blockId: undefined, timestamp: undefined, validatorAddress: Uint8Array.of(1), validatorIndex: 3, signature: new Uint8Array(0), extension: new Uint8Array(0), extensionSignature: new Uint8Array(0) };
    const nil = event({ $case: "vote", value: { vote } });
    expect(nil?.event).to.deep.include({ kind: "vote", type: "precommit", validatorIndex: 3, blockHash: new Uint8Array(0) });
    expect(nil?.key).to.equal("v/2/0/precommit/3/");
    const part = event({ $case: "blockPart", value: { height: 2n, round: 0, part: { index: 1, bytes: Uint8Array.of(9), proof: undefined } } });
    expect(part?.event).to.deep.include({ kind: "blockPart", index: 1, total: 0 });
    const step = event({ $case: "newRoundStep", value: { height: 2n, round: 0, step: 42, secondsSinceStartTime: 0n, lastCommitRound: 0 } });
    expect(step?.event).to.deep.include({ kind: "roundStep", step: 42, stepName: "step42" });
    expect(event({ $case: "hasVote", value: { height: 2n, round: 0, type: PREVOTE, index: 2 } })?.key).to.equal("h/2/0/prevote/2");
  });
});
