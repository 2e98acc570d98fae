import { expect } from "chai";
import { VirtualTimeScheduler } from "rxjs";
import { silentLogger } from "../../../src/logger.js";
import { backoffDefaults } from "../../../src/p2p/backoff.js";
import { parseNetAddress } from "../../../src/p2p/netaddress.js";
import { PersistentPeers, type PersistentPeersOptions } from "../../../src/p2p/persistent-peers.js";
import { TransportError } from "../../../src/errors.js";

const ID = "a".repeat(40);
type Failure = Parameters<NonNullable<PersistentPeersOptions["onFailure"]>>;
const addr = parseNetAddress(`${ID}@127.0.0.1:26656`);

/**
 * Runs the clock's actions due up to `until` one at a time, letting promise callbacks (the
 * dial's answer) run after each: the redial loop is driven by promises and by the scheduler.
 */
async function runUntil(clock: VirtualTimeScheduler, until: number): Promise<void> {
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const next = clock.actions.at(0);
    if (next === undefined || next.delay > until) break;
    clock.maxFrames = next.delay;
    clock.flush();
  }
  clock.frame = until;
}

/** A redial loop of one persistent peer on the default schedule without jitter, dialing with `dial`. */
function redialLoop(dial: (clock: VirtualTimeScheduler, peers: PersistentPeers) => Promise<unknown>) {
  const clock = new VirtualTimeScheduler();
  const dials: number[] = [];
  const failures: Failure[] = [];
  const peers: PersistentPeers = new PersistentPeers([addr], {
    dial: () => {
      dials.push(clock.now());
      return dial(clock, peers);
    },
    backoff: backoffDefaults,
    minConnectionLifetime: 10_000,
    random: () => 0,
    scheduler: clock,
    logger: silentLogger,
    onFailure: (...args) => failures.push(args),
  });
  return { clock, dials, failures, peers };
}

/** A persistent peer whose every connection is closed by the remote `lives` ms after it is made. */
function closingPeer(lives: number) {
  return redialLoop((clock, peers) => {
    peers.connected(ID);
    clock.schedule(() => peers.ended(ID, { kind: "remote-closed" }), lives);
    return Promise.resolve();
  });
}

describe("PersistentPeers (virtual time)", () => {
  it("a peer that closes 50 ms after each connection is redialled on the backoff schedule, 12 times a minute, each end told as a short-lived failure", async () => {
    const { clock, dials, failures, peers } = closingPeer(50);
    peers.start();
    await runUntil(clock, 60_000);
    peers.stop();
    // at once, then 5 s after each end (no jitter): 0, 5050, 10100, …
    expect(dials).to.deep.equal(Array.from({ length: 12 }, (_, i) => i * 5050));
    expect(failures.map((f) => f[3])).to.deep.equal(Array(12).fill("short-lived"));
    expect(failures.map((f) => f[2]), "attempts counted across connections").to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("after 20 short-lived connections the waits grow (3 s, 9 s, … added)", async () => {
    const { clock, dials, peers } = closingPeer(0);
    peers.start();
    await runUntil(clock, 200_000);
    peers.stop();
    const gaps = dials.slice(1).map((t, i) => t - dials[i]);
    expect(gaps.slice(0, 19)).to.deep.equal(Array(19).fill(5000));
    expect(gaps.slice(19, 22)).to.deep.equal([5000 + 3000, 9000, 27_000]);
  });

  it("a connection that lived minConnectionLifetime starts the schedule over: the next dial is at once", async () => {
    const { clock, dials, failures, peers } = closingPeer(10_000);
    peers.start();
    await runUntil(clock, 30_000);
    peers.stop();
    expect(dials).to.deep.equal([0, 10_000, 20_000, 30_000]);
    expect(failures).to.deep.equal([]);
  });

  it("a failed dial is told with cause dial, and redialled after the steady interval", async () => {
    const { clock, dials, failures, peers } = redialLoop(() => Promise.reject(new TransportError("refused")));
    peers.start();
    await runUntil(clock, 10_000);
    peers.stop();
    expect(dials).to.deep.equal([0, 5000, 10_000]);
    expect(failures.map((f) => [f[3], String(f[1])])).to.deep.equal([
      ["dial", "TransportError: refused"],
      ["dial", "TransportError: refused"],
      ["dial", "TransportError: refused"],
    ]);
  });
});
