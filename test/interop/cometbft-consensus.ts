/**
 * Draws a CometBFT node's consensus gossip to us: we tell it our round state (its own height and
 * round, step Propose, so that it sends the proposal, its parts and the votes), and ask for its
 * prevote bits (VoteSetMaj23, answered with VoteSetBits on 0x23).
 */
import { Subscription } from "rxjs";
import { consensusCodec, type ConsensusMessage } from "../../src/cometbft/index.js";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { SignedMsgType } from "../../src/proto/tendermint/types/types.js";

/** One consensus message's `sum`. */
export type ConsensusSum = NonNullable<ConsensusMessage["sum"]>;

const STEP_PROPOSE = 3;
/** The kinds a single-validator node sends us within a few heights (v1 adds HasProposalBlockPart). */
export const GOSSIPED = ["newRoundStep", "proposal", "blockPart", "vote", "hasVote", "voteSetMaj23", "voteSetBits", "newValidBlock"];

/**
 * Collects the consensus messages `peer` sends on 0x20–0x23 for up to `ms` (less once every kind
 * in `wanted` arrived): the first of each kind.
 */
export function collectConsensus(sw: Switch, peer: Peer, wanted: readonly string[], ms: number): Promise<Map<string, ConsensusSum>> {
  const seen = new Map<string, ConsensusSum>();
  const subscriptions = new Subscription();
  const send = (channel: number, sum: ConsensusSum) => void peer.send(channel, consensusCodec.encode({ sum }));
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      subscriptions.unsubscribe();
      resolve(seen);
    };
    const timer = setTimeout(finish, ms);
    for (const id of [0x20, 0x21, 0x22, 0x23]) {
      subscriptions.add(
        sw.channel<ConsensusMessage>(id).messages$.subscribe(({ peer: from, message }) => {
          const sum = message.sum;
          if (from !== peer || sum === undefined) return;
          if (!seen.has(sum.$case)) seen.set(sum.$case, sum);
          if (sum.$case === "newRoundStep") {
            const { height, round, lastCommitRound } = sum.value;
            send(0x20, { $case: "newRoundStep", value: { height, round, step: STEP_PROPOSE, secondsSinceStartTime: 0n, lastCommitRound } });
          } else if (sum.$case === "vote" && !seen.has("voteSetBits")) {
            const vote = sum.value.vote!;
            if (vote.type === SignedMsgType.SIGNED_MSG_TYPE_PREVOTE && (vote.blockId?.hash.length ?? 0) > 0) {
              send(0x20, { $case: "voteSetMaj23", value: { height: vote.height, round: vote.round, type: vote.type, blockId: vote.blockId } });
            }
          }
          if (wanted.every((k) => seen.has(k))) finish();
        }),
      );
    }
  });
}
