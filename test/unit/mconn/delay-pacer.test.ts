import { expect } from "chai";
import { VirtualTimeScheduler } from "rxjs";
import { DelayPacer, pacingDefaults, type PacingConfig } from "../../../src/mconn/delay-pacer.js";

const KiB = 1024;
const config: PacingConfig = { targetDelay: 5, minWindow: 128 * KiB, maxWindow: 8 * 1024 * KiB, probeInterval: 2, probeThreshold: 1, probeTimeout: 1000 };

/** A pacer on a clock the test moves by hand. */
function pacerAt(options: Partial<PacingConfig> = {}) {
  const clock = new VirtualTimeScheduler();
  let now = 0;
  clock.now = () => now;
  const pacer = new DelayPacer({ ...config, ...options }, clock);
  return { pacer, advance: (ms: number) => (now += ms) };
}

/** Writes a full window, probes after it, and answers the probe `rtt` ms later. */
function roundTrip(p: ReturnType<typeof pacerAt>, rtt: number): void {
  expect(p.pacer.wrote(p.pacer.room()), "a probe follows the write").to.equal(true);
  p.advance(rtt);
  expect(p.pacer.pong()).to.equal(true);
  p.advance(config.probeInterval);
}

describe("DelayPacer", () => {
  it("starts with 1 MiB of room; bytes written take room until a pong acknowledges them", () => {
    const p = pacerAt();
    expect(p.pacer.room()).to.equal(1024 * KiB);
    expect(p.pacer.wrote(600 * KiB)).to.equal(true);
    expect(p.pacer.wrote(424 * KiB)).to.equal(false); // one probe out at a time
    expect(p.pacer.room()).to.equal(0);
    expect(p.pacer.inFlight).to.equal(1024 * KiB);
    p.advance(1);
    expect(p.pacer.pong()).to.equal(true);
    // Only what was written before the probe is acknowledged.
    expect(p.pacer.inFlight).to.equal(424 * KiB);
  });

  it("grows the window while the queueing delay stays under the target, up to maxWindow", () => {
    const p = pacerAt();
    roundTrip(p, 1); // the least round trip: the path's own delay
    const before = p.pacer.window;
    roundTrip(p, 1);
    expect(p.pacer.window).to.be.greaterThan(before);
    for (let i = 0; i < 20; i++) roundTrip(p, 1);
    expect(p.pacer.window).to.equal(config.maxWindow);
  });

  it("shrinks the window in proportion when the delay is over the target, at most by half, never below minWindow", () => {
    const p = pacerAt();
    roundTrip(p, 1);
    const before = p.pacer.window;
    roundTrip(p, 1 + 8); // 8 ms of queueing: the window × 5/8
    expect(p.pacer.window).to.be.closeTo((before * 5) / 8, 1);
    const w = p.pacer.window;
    roundTrip(p, 1 + 100); // far over: halved, not more
    expect(p.pacer.window).to.equal(Math.max(config.minWindow, w / 2));
    for (let i = 0; i < 20; i++) roundTrip(p, 1 + 100);
    expect(p.pacer.window).to.equal(config.minWindow);
  });

  it("measures delay against the least round trip seen, so a long path is not taken for a queue", () => {
    const p = pacerAt();
    roundTrip(p, 80); // an 80 ms path
    const before = p.pacer.window;
    roundTrip(p, 82);
    expect(p.pacer.window).to.be.greaterThan(before);
  });

  it("probes at most once per probeInterval, and only with bytes unacknowledged", () => {
    const p = pacerAt({ probeInterval: 10 });
    expect(p.pacer.probeDelay(), "nothing written: no probe wanted").to.equal(undefined);
    expect(p.pacer.wrote(1000)).to.equal(true);
    expect(p.pacer.probeDelay(), "one out").to.equal(undefined);
    p.advance(1);
    p.pacer.pong();
    expect(p.pacer.probeDelay(), "all acknowledged").to.equal(undefined);
    expect(p.pacer.wrote(1000)).to.equal(false);
    expect(p.pacer.probeDelay()).to.equal(9);
    p.advance(9);
    expect(p.pacer.wrote(0)).to.equal(true);
  });

  it("sends no probe while fewer than probeThreshold bytes are unacknowledged", () => {
    const p = pacerAt({ probeThreshold: 64 * KiB });
    for (let i = 0; i < 63; i++) expect(p.pacer.wrote(KiB), `after ${i + 1} KiB`).to.equal(false);
    expect(p.pacer.wrote(KiB), "at 64 KiB").to.equal(true);
  });

  it("ignores a pong with no probe out (an answer to a keepalive ping, or unsolicited)", () => {
    const p = pacerAt();
    const window = p.pacer.window;
    expect(p.pacer.pong()).to.equal(false);
    expect(p.pacer.window).to.equal(window);
    expect(p.pacer.inFlight).to.equal(0);
  });

  it("gives up a probe never answered: everything counts as read, the window halves", () => {
    const p = pacerAt();
    p.pacer.wrote(p.pacer.room());
    expect(p.pacer.room()).to.equal(0);
    p.advance(400);
    expect(p.pacer.probeTimeLeft()).to.equal(600);
    p.advance(600);
    expect(p.pacer.probeTimeLeft()).to.equal(0);
    p.pacer.giveUp();
    expect(p.pacer.probing).to.equal(false);
    expect(p.pacer.inFlight).to.equal(0);
    expect(p.pacer.window).to.equal(512 * KiB);
  });

  it("tells how long probes have gone unanswered, across probes given up, until a pong", () => {
    const p = pacerAt();
    expect(p.pacer.unansweredFor()).to.equal(0);
    p.pacer.wrote(1000);
    p.advance(1000);
    p.pacer.giveUp();
    p.pacer.wrote(1000);
    p.advance(500);
    expect(p.pacer.unansweredFor()).to.equal(1500);
    p.pacer.pong();
    expect(p.pacer.unansweredFor()).to.equal(0);
  });

  it("takes a late pong to a probe given up, with no probe out, as the peer reading: the stall clock starts over", () => {
    const p = pacerAt();
    p.pacer.wrote(1000);
    p.advance(1000);
    p.pacer.giveUp();
    p.advance(200);
    expect(p.pacer.pong(), "no probe out").to.equal(false);
    expect(p.pacer.unansweredFor()).to.equal(0);
    p.advance(30_000);
    p.pacer.wrote(1000);
    p.advance(1000);
    p.pacer.giveUp();
    expect(p.pacer.unansweredFor(), "only the probe of now, not the one 31 s ago").to.equal(1000);
  });

  it("is configured by a finite pacingTargetDelay (Infinity would make the window NaN)", async () => {
    const { defaults, verifyConfig } = await import("../../../src/mconn/config.js");
    const { ConfigError } = await import("../../../src/errors.js");
    for (const bad of [Infinity, -1, NaN]) expect(() => verifyConfig({ ...defaults, pacingTargetDelay: bad }), String(bad)).to.throw(ConfigError, /pacingTargetDelay/);
    expect(verifyConfig({ ...defaults, pacingTargetDelay: 0 }).pacingTargetDelay).to.equal(0);
  });

  it("has defaults that keep to the peer's default ping-rate limit", async () => {
    const { defaults } = await import("../../../src/mconn/config.js");
    expect(1000 / pacingDefaults.probeInterval).to.be.at.most(defaults.maxPingRate);
    expect(defaults.pacingTargetDelay).to.be.greaterThan(0);
  });
});
