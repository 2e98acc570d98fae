import { expect } from "chai";
import { NEVER } from "rxjs";
import sinon from "sinon";
import { limitIncoming } from "../../../src/mconn/limit-incoming.js";
import { ReadGate } from "../../../src/mconn/read-gate.js";
import { TokenBucket } from "../../../src/mconn/token-bucket.js";
import { FakeDuplex } from "../../helpers/fake-duplex.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("ReadGate: one reference-counted pause of a duplex's reading", () => {
  it("pauses on the first hold and resumes on the last release; a release called twice counts once", () => {
    const ts = testScheduler();
    const duplex = new FakeDuplex(NEVER, ts);
    const pause = sinon.spy(duplex, "pause");
    const resume = sinon.spy(duplex, "resume");
    const gate = new ReadGate(duplex);
    const a = gate.hold();
    const b = gate.hold();
    expect(pause.calledOnce).to.equal(true);
    a();
    a();
    expect(resume.called).to.equal(false);
    expect(gate.paused).to.equal(true);
    b();
    expect(resume.calledOnce).to.equal(true);
    expect(gate.paused).to.equal(false);
  });

  it("the rate limit's pause is one hold: its resume does not restart reading that a consumer holds", () => {
    const ts = testScheduler();
    ts.run(({ hot, flush }) => {
      const chunk = new Uint8Array(1000);
      const duplex = new FakeDuplex(hot("a", { a: chunk }), ts);
      const gate = new ReadGate(duplex);
      // 1000 B/s, burst 500: a overdraws by 500, the limit pauses for 500 ms.
      limitIncoming(gate.duplex, new TokenBucket(1000, 500, ts), ts).subscribe();
      let release: () => void = () => undefined;
      ts.schedule(() => (release = gate.hold()), 100);
      ts.schedule(() => release(), 800);
      flush();
      // Paused once at 0 (the limit), still paused when the limit resumes at 501, resumed at 800.
      expect(duplex.events).to.deep.equal(["pause@0", "resume@800"]);
    });
  });

  it("its duplex reads from the duplex it wraps; a resume() without a pause releases nothing", () => {
    const ts = testScheduler();
    const duplex = new FakeDuplex(NEVER, ts);
    const gate = new ReadGate(duplex);
    expect(gate.duplex.incoming$).to.equal(duplex.incoming$);
    const held = gate.hold();
    gate.duplex.resume(); // without a pause: nothing to release
    expect(gate.paused).to.equal(true);
    held();
    expect(duplex.events).to.deep.equal(["pause@0", "resume@0"]);
  });
});
