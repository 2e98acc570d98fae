/**
 * `followRounds`: tells each peer that we are at its height and round, so that its consensus
 * reactor gossips that round to us (proposal, block parts, votes) as it does to a node catching up.
 * @module
 */
import { catchError, defer, EMPTY, filter, ignoreElements, mergeMap, Observable } from "rxjs";
import type { Peer } from "../p2p/peer.js";
import { consensusCodec, type ConsensusMessage } from "./codecs.js";
import type { ConsensusSwitch } from "./consensus-events.js";

/** `RoundStepPropose`: the step at which a node sends a peer the round's proposal, parts and votes. */
const STEP_PROPOSE = 3;
/** `RoundStepNewHeight`: the node committed the previous height and waits out `timeout_commit`. */
const STEP_NEW_HEIGHT = 1;

/**
 * While subscribed, answers each peer's `NewRoundStep` for a height and round it had not told of
 * before with our own `NewRoundStep` at that height and round (step Propose) on 0x20. A CometBFT
 * node gossips the proposal, its block parts and the votes of a round only to peers it believes
 * are in that round; this is all a watcher sends. A peer's `NewHeight` step is followed only when
 * we told it nothing before: while it waits out `timeout_commit` we stay at the height it just
 * committed, so that it sends us that height's precommits (its last commit) and, as to a node
 * catching up, the committed block's parts. Emits nothing; fails never: a message that cannot be
 * queued (the peer has ended, or its `queue` throws) is skipped, and a peer still connected is
 * answered again at its next round.
 *
 * ```
 * peer:    --s(1/0 Propose)--s(1/0 Commit)--s(2/0 NewHeight)--s(2/0 NewRound)--
 * sent:    --o(1/0)-------------------------------------------o(2/0)----------
 * ```
 *
 * @example
 * merge(consensusEvents$(sw), followRounds(sw)).subscribe(console.log);
 */
export function followRounds(sw: ConsensusSwitch): Observable<never> {
  return defer(() => {
    const told = new WeakMap<Peer, string>();
    return sw.channel<ConsensusMessage>(0x20).messages$.pipe(
      filter(({ peer, message }) => {
        if (message.sum?.$case !== "newRoundStep") return false;
        const { height, round, step } = message.sum.value;
        const at = `${height}/${round}`;
        const before = told.get(peer);
        if (before === at || (step === STEP_NEW_HEIGHT && before !== undefined)) return false;
        told.set(peer, at);
        return true;
      }),
      mergeMap(({ peer, message }) => {
        if (message.sum?.$case !== "newRoundStep") return EMPTY;
        const { height, round, lastCommitRound } = message.sum.value;
        const bytes = consensusCodec.encode({ sum: { $case: "newRoundStep", value: { height, round, step: STEP_PROPOSE, secondsSinceStartTime: 0n, lastCommitRound } } });
        // A peer that ended (PeerEndedError) concerns that peer only: every other one is still followed.
        return defer(() => peer.queue(0x20, bytes)).pipe(catchError(() => EMPTY));
      }),
      ignoreElements(),
    );
  });
}
