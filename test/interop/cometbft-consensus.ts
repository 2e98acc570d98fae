/**
 * Draws a CometBFT node's consensus gossip to us. A node gossips to a peer according to the round
 * state the peer reports (`NewRoundStep`), checking every 100 ms (`peer_gossip_sleep_duration`).
 * A single-validator node proposes, votes and commits within a few tens of milliseconds and then
 * waits about a second for the next height, so what it holds for the *current* height is there
 * for too short a time to be picked reliably. So we first report ourselves one height behind: a
 * node then sends a lagging peer the precommits of that height (its last commit, all the next
 * height long) and the block's parts from its store, every height. Once every wanted kind
 * arrived, we report its own height and round at step Propose (so that it may send the proposal
 * and current votes) and claim a prevote majority for each block proposed or voted for
 * (VoteSetMaj23, answered with VoteSetBits on 0x23).
 */
import { Subscription } from "rxjs";
import { consensusCodec, type ConsensusMessage } from "../../src/cometbft/index.js";
import type { Peer } from "../../src/p2p/peer.js";
import type { Switch } from "../../src/p2p/switch.js";
import { SignedMsgType } from "../../src/proto/tendermint/types/types.js";

/** One consensus message's `sum`. */
export type ConsensusSum = NonNullable<ConsensusMessage["sum"]>;

const STEP_NEW_HEIGHT = 1;
const STEP_PROPOSE = 3;
/** The kinds a single-validator node of every line sends us within a few heights (v1 adds HasProposalBlockPart). */
export const GOSSIPED = ["newRoundStep", "blockPart", "vote", "hasVote", "newValidBlock"];

/**
 * Kinds that come or not: Proposal only when the node's 100 ms gossip poll falls in the few tens
 * of milliseconds a proposal is current (a lagging peer is never sent one); VoteSetMaj23 only when
 * the node's 2 s poll finds us at its height with a majority already there; VoteSetBits as the
 * answer to ours (v0.34.35 did not answer in our runs; the other lines did). They are decoded when
 * they come (the vectors of every line hold each) but not required here.
 */
export const SOMETIMES = ["proposal", "voteSetMaj23", "voteSetBits"];

/** How long to wait for the {@link SOMETIMES} kinds once every wanted kind arrived, in ms. */
const GRACE = 5000;

/**
 * Collects the consensus messages `peer` sends on 0x20–0x23, the first of each kind, for up to
 * `ms`: less once every kind in `wanted` and in {@link SOMETIMES} arrived, or {@link GRACE} after
 * the wanted ones did.
 */
export function collectConsensus(sw: Switch, peer: Peer, wanted: readonly string[], ms: number): Promise<Map<string, ConsensusSum>> {
  const seen = new Map<string, ConsensusSum>();
  let reportedBehind = 0n;
  const subscriptions = new Subscription();
  const send = (channel: number, sum: ConsensusSum) => void peer.send(channel, consensusCodec.encode({ sum }));
  return new Promise((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(grace);
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
          const allWanted = wanted.every((k) => seen.has(k));
          if (sum.$case === "newRoundStep") {
            const { height, round, lastCommitRound } = sum.value;
            if (allWanted) {
              send(0x20, { $case: "newRoundStep", value: { height, round, step: STEP_PROPOSE, secondsSinceStartTime: 0n, lastCommitRound } });
            } else if (height > reportedBehind + 1n && height >= 2n) {
              // One height behind: round 0 of the previous height, whose last commit round is -1
              // only at the initial height (1 in these genesis files).
              reportedBehind = height - 1n;
              const lcr = reportedBehind === 1n ? -1 : 0;
              send(0x20, { $case: "newRoundStep", value: { height: reportedBehind, round: 0, step: STEP_NEW_HEIGHT, secondsSinceStartTime: 0n, lastCommitRound: lcr } });
            }
          } else if ((sum.$case === "proposal" || sum.$case === "vote") && !seen.has("voteSetBits")) {
            // Claim a prevote majority for the block just proposed or voted for: the node answers
            // with the bits of the prevotes it has for it (if it is still at that height).
            const { height, round, blockId } = sum.$case === "proposal" ? sum.value.proposal! : sum.value.vote!;
            if ((blockId?.hash.length ?? 0) > 0) send(0x20, { $case: "voteSetMaj23", value: { height, round, type: SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, blockId } });
          }
          if (allWanted) {
            if (SOMETIMES.every((k) => seen.has(k))) finish();
            else grace ??= setTimeout(finish, GRACE);
          }
        }),
      );
    }
  });
}
