import { expect } from "chai";
import { VirtualTimeScheduler } from "rxjs";
import type { MConnError } from "../../../../src/error-base.js";
import { AcceptGate, type Arrival } from "../../../../src/p2p/admission/accept-gate.js";
import { handshakePatience } from "../../../../src/p2p/admission/handshake-slots.js";
import { PeerRejectedError } from "../../../../src/p2p/errors.js";

/** An arrival from `ip` that has sent `bytesRead` bytes; `close()` runs what the gate asked on close. */
function arrival(ip: string, bytesRead: number) {
  const onClosed: (() => void)[] = [];
  const a: Arrival & { bytesRead: number; close(): void } = {
    ip,
    host: ip,
    port: 1,
    bytesRead,
    onClose: (release) => onClosed.push(release),
    close: () => onClosed.forEach((f) => f()),
  };
  return a;
}

/** Advances `clock` by `ms`. */
function wait(clock: VirtualTimeScheduler, ms: number): void {
  clock.schedule(() => undefined, ms);
  clock.flush();
}

describe("AcceptGate: handshake slots against sockets that send a little and stall", () => {
  it("all slots talking: a newcomer is refused (max-handshakes) until the oldest is past its patience, then takes its slot", () => {
    const clock = new VirtualTimeScheduler();
    const gate = new AcceptGate({ maxPendingHandshakes: 4, scheduler: clock });
    const refused: [string, MConnError][] = [];
    const admit = (ip: string, bytes = 1) => gate.admit(arrival(ip, bytes), (e) => refused.push([ip, e]));
    // four hosts each send a byte and stall
    const stallers = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) => admit(ip));
    expect(stallers.every((p) => p !== undefined)).to.equal(true);
    // an honest peer arrives: every slot is held by a talking handshake within its patience
    expect(admit("10.9.0.1")).to.equal(undefined);
    expect(refused).to.have.length(1);
    const [who, error] = refused[0];
    expect(who).to.equal("10.9.0.1");
    if (!(error instanceof PeerRejectedError)) throw new Error(`expected a PeerRejectedError, got ${String(error)}`);
    expect(error.rule).to.equal("max-handshakes");
    expect(error.message).to.match(/held by a handshake under way for less than 2000 ms: try again later/);
    // it comes back once the oldest staller has had its patience: the staller gives way
    wait(clock, handshakePatience.most);
    const honest = admit("10.9.0.2");
    expect(honest).to.not.equal(undefined);
    expect(refused.map(([ip]) => ip)).to.deep.equal(["10.9.0.1", "10.0.0.1"]);
    expect(stallers[0]?.evicted).to.equal(true);
    // a silent socket gives way to the next arrival at once, patience or not
    stallers[1]?.handshakeDone();
    const silent = admit("10.0.0.5", 0);
    expect(silent).to.not.equal(undefined);
    expect(admit("10.9.0.3")).to.not.equal(undefined);
    expect(silent?.evicted).to.equal(true);
  });

  it("honest handshakes that complete in 50 ms bring the patience down to 200 ms: a staller holds a slot that long, no longer", () => {
    const clock = new VirtualTimeScheduler();
    const gate = new AcceptGate({ maxPendingHandshakes: 2, scheduler: clock });
    const refused: string[] = [];
    const admit = (ip: string) => gate.admit(arrival(ip, 1), () => refused.push(ip));
    for (let i = 0; i < 20; i++) {
      const pass = admit(`10.1.${i}.1`);
      wait(clock, 50);
      pass?.handshakeDone(true);
    }
    expect(refused).to.deep.equal([]);
    const stallers = [admit("10.2.0.1"), admit("10.2.0.2")];
    wait(clock, 4 * 50 - 1);
    expect(admit("10.9.0.1")).to.equal(undefined);
    wait(clock, 1);
    expect(admit("10.9.0.2")).to.not.equal(undefined);
    expect(stallers.map((p) => p?.evicted)).to.deep.equal([true, false]);
    expect(refused).to.deep.equal(["10.9.0.1", "10.2.0.1"]);
  });
});
