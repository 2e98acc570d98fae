/**
 * `followRounds`: tells each peer that we are at its height and round, so that its consensus
 * reactor gossips that round to us (proposal, block parts, votes) as it does to a node catching up.
 * @module
 */
import { asyncScheduler, catchError, concat, defer, EMPTY, filter, groupBy, ignoreElements, map, mergeMap, Observable, of, switchMap, takeUntil, timer, type SchedulerLike } from "rxjs";
import { ConfigError } from "../error-base.js";
import type { NewRoundStep } from "../proto/tendermint/consensus/types.js";
import { consensusCodec, type ConsensusMessage } from "./codecs.js";
import type { ConsensusSwitch } from "./consensus-events.js";

/** `RoundStepPropose`: the step at which a node sends a peer the round's proposal, parts and votes. */
const STEP_PROPOSE = 3;
/** `RoundStepNewHeight`: the node committed the previous height and waits out `timeout_commit`. */
const STEP_NEW_HEIGHT = 1;

/** Options of {@link followRounds}. */
export interface FollowRoundsOptions {
  /**
   * How long we stay at the height a peer just committed, in ms, counted from its first message
   * at the next height (default 500; 0: no hold). A CometBFT node gossips a height's precommits
   * (its last commit) to a peer one height behind it: its vote gossip routine queues one of them
   * per pass, without sleeping between, and sleeps `peer_gossip_sleep_duration` (100 ms by
   * default) when it has nothing to send. So once the node is at the next height, it has queued
   * them all within about that sleep, and 500 ms leaves five of them for a loaded machine. A node
   * normally waits out `timeout_commit` (1 s by default) in its `NewHeight` step, longer than the
   * hold: its next round is then followed at once. A node that entered the commit late (it had
   * +2/3 precommits but not yet the block) counts `timeout_commit` from the precommits and may
   * start its next round at once; it is followed when the hold ends. On a chain whose heights
   * last less than the hold, we stay one height behind each node (its precommits and the
   * committed block's parts reach us, not its proposals and prevotes): lower the hold for it.
   */
  readonly lastCommitHold?: number;
  /** For the hold (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** Defaults of {@link FollowRoundsOptions}. */
const followRoundsDefaults = Object.freeze({ lastCommitHold: 500 });

/**
 * Checks `options` and fills in the defaults.
 * @throws {ConfigError} naming every rule broken.
 */
function verifyFollowRoundsOptions(options: FollowRoundsOptions): { lastCommitHold: number; scheduler: SchedulerLike } {
  const o = { ...followRoundsDefaults, scheduler: asyncScheduler, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as { lastCommitHold: number; scheduler: SchedulerLike };
  const errors: string[] = [];
  if (typeof o.lastCommitHold !== "number" || !Number.isFinite(o.lastCommitHold) || o.lastCommitHold < 0) errors.push(`lastCommitHold must be 0 (no hold) or a positive number of milliseconds, got ${String(o.lastCommitHold)}.`);
  const scheduler = o.scheduler as Partial<SchedulerLike> | null;
  if (typeof scheduler?.now !== "function" || typeof scheduler.schedule !== "function") errors.push("scheduler must be a SchedulerLike (now and schedule).");
  if (errors.length > 0) throw new ConfigError(`followRounds: ${errors.join(" ")}`);
  return o;
}

/** A height and round we tell a peer we are at. */
interface At {
  readonly height: bigint;
  readonly round: number;
  readonly lastCommitRound: number;
}

/**
 * What we told one peer, its newest round step, and since when it is at that step's height:
 * a fixed size, whatever the peer sends.
 */
class PeerRounds {
  private told: At | undefined;
  private latest: NewRoundStep | undefined;
  /** When the peer's first message at `latest.height` arrived (the scheduler's time). */
  private since = 0;

  constructor(private readonly hold: number) {}

  /** Notes the peer's round step, received at `now`. */
  note(step: NewRoundStep, now: number): void {
    if (this.latest === undefined || this.latest.height !== step.height) this.since = now;
    this.latest = step;
  }

  /** When the hold on the peer's newest height ends, or undefined when none runs at `now`. */
  holdEnd(now: number): number | undefined {
    return this.holding(now) ? this.since + this.hold : undefined;
  }

  /** Where to tell the peer we are at `now`, if that changed (it is then what we told). */
  take(now: number): At | undefined {
    const target = this.target(now);
    if (target === undefined || (this.told !== undefined && target.height === this.told.height && target.round === this.told.round)) return undefined;
    this.told = target;
    return target;
  }

  private holding(now: number): boolean {
    return this.latest !== undefined && this.told !== undefined && this.latest.height > this.told.height && now < this.since + this.hold;
  }

  private target(now: number): At | undefined {
    const m = this.latest;
    if (m === undefined) return undefined;
    // Our first answer follows the peer wherever it is.
    if (this.told === undefined || (!this.holding(now) && m.step !== STEP_NEW_HEIGHT)) return m;
    // Held, or in its NewHeight step: at the height it committed (at its commit round), unless already there.
    return m.height - 1n > this.told.height ? { height: m.height - 1n, round: m.lastCommitRound, lastCommitRound: m.lastCommitRound } : undefined;
  }
}

/**
 * While subscribed, answers each peer's `NewRoundStep` for a height and round it had not told of
 * before with our own `NewRoundStep` at that height and round (step Propose) on 0x20. A CometBFT
 * node gossips the proposal, its block parts and the votes of a round only to peers it believes
 * are in that round; this is all a watcher sends.
 *
 * Once we told a peer of a height, we stay at it when the peer moves to the next one: while the
 * peer waits out `timeout_commit` in its `NewHeight` step, and in any case for `lastCommitHold`
 * ms after its first message at the next height (see {@link FollowRoundsOptions.lastCommitHold}),
 * so that it sends us, as to a node one height behind, the precommits of the height it committed
 * (its last commit) and the committed block's parts. Then we follow its newest round: the one it
 * is in when the hold ends (the rounds it passed through meanwhile are skipped), or at once the
 * next it enters. A peer more than one height ahead is told we are at the height before its own
 * (at the round that height was committed in). The hold is one timer per peer at most, released
 * when the peer ends; what is kept per peer is of fixed size, and dropped when it ends.
 *
 * Emits nothing; fails never: a message that cannot be queued (the peer has ended, or its
 * `queue` throws) is skipped, and a peer still connected is answered again at its next round.
 * The peers are those of the switch's 0x20 channel, with their `ended$`.
 *
 * ```
 * a: 1/0 Propose, b: 1/0 Commit, c: 2/0 NewHeight, d: 2/0 NewRound, e: 2/1 NewRound; lastCommitHold: 5 frames
 * NewHeight waited out:  peer: -a---b--c-----d--
 *                        sent: -a------------d--   (d comes after the hold: followed at once)
 * NewHeight cut short:   peer: -a---b--c-d-e----
 *                        sent: -a-----------e---   (at c + 5, the newest round only)
 * ```
 *
 * @throws {ConfigError} when an option is out of range.
 * @example
 * merge(consensusEvents$(sw), followRounds(sw)).subscribe(console.log);
 */
export function followRounds(sw: ConsensusSwitch, options: FollowRoundsOptions = {}): Observable<never> {
  const { lastCommitHold, scheduler } = verifyFollowRoundsOptions(options);
  return defer(() =>
    sw.channel<ConsensusMessage>(0x20).messages$.pipe(
      mergeMap(({ peer, message }) => (message.sum?.$case === "newRoundStep" ? of({ peer, step: message.sum.value }) : EMPTY)),
      // One group per peer, dropped when it ends.
      groupBy(({ peer }) => peer, { duration: (group) => group.key.ended$ }),
      mergeMap((group) => {
        const peer = group.key;
        const rounds = new PeerRounds(lastCommitHold);
        return group.pipe(
          // Each step answers at once or, held, when the hold ends; a newer step replaces a pending answer.
          switchMap(({ step }) => {
            const now = scheduler.now();
            rounds.note(step, now);
            const at = rounds.take(now);
            const end = rounds.holdEnd(now);
            const held$ = end === undefined ? EMPTY : timer(end - now, scheduler).pipe(map(() => rounds.take(scheduler.now())));
            return concat(of(at), held$).pipe(filter((a): a is At => a !== undefined));
          }),
          // A peer that ends releases its hold's timer.
          takeUntil(peer.ended$),
          mergeMap(({ height, round, lastCommitRound }) => {
            const bytes = consensusCodec.encode({ sum: { $case: "newRoundStep", value: { height, round, step: STEP_PROPOSE, secondsSinceStartTime: 0n, lastCommitRound } } });
            // A peer that ended (PeerEndedError) concerns that peer only: every other one is still followed.
            return defer(() => peer.queue(0x20, bytes)).pipe(catchError(() => EMPTY));
          }),
        );
      }),
      ignoreElements(),
    ),
  );
}
