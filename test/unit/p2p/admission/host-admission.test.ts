import { expect } from "chai";
import { map } from "rxjs";
import { ConfigError } from "../../../../src/errors.js";
import { HostAdmission, verifyHostLimits, type HostTicket } from "../../../../src/p2p/admission/host-admission.js";
import { testScheduler } from "../../../helpers/marbles.js";

const outcome = (r: ReturnType<HostAdmission["admit"]>) => ("refused" in r ? r.refused.charAt(5) : "y"); // y, r (host-rate), h (host-handshakes), i (duplicate-ip)

describe("HostAdmission", () => {
  it("one connection per IP unless allowDuplicateIp; other IPs are not affected; a closed one frees its IP", () => {
    const ts = testScheduler();
    const hosts = new HostAdmission(verifyHostLimits({ newConnectionsPerIpPerSecond: 0 }), ts);
    const first = hosts.admit("10.0.0.1");
    expect(first).to.have.property("ticket");
    expect(hosts.admit("10.0.0.1")).to.deep.include({ refused: "duplicate-ip" });
    expect(hosts.admit("10.0.0.2")).to.have.property("ticket");
    (first as { ticket: HostTicket }).ticket.release();
    expect(hosts.connections("10.0.0.1")).to.equal(0);
    expect(hosts.admit("10.0.0.1")).to.have.property("ticket");
  });

  it("with allowDuplicateIp, caps the handshakes in progress per IP; a finished handshake frees its slot but still counts as a connection", () => {
    const ts = testScheduler();
    const hosts = new HostAdmission(verifyHostLimits({ allowDuplicateIp: true, maxHandshakesPerIp: 2, newConnectionsPerIpPerSecond: 0 }), ts);
    const a = hosts.admit("::1") as { ticket: HostTicket };
    hosts.admit("::1");
    expect(hosts.admit("::1")).to.deep.include({ refused: "host-handshakes" });
    a.ticket.handshakeDone();
    a.ticket.handshakeDone(); // idempotent
    expect(hosts.admit("::1")).to.have.property("ticket");
    expect(hosts.connections("::1")).to.equal(3);
  });

  it("rate of new connections per IP: a burst, then the sustained rate (token bucket on the scheduler)", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const hosts = new HostAdmission(verifyHostLimits({ allowDuplicateIp: true, maxHandshakesPerIp: 100, newConnectionsPerIpPerSecond: 2, newConnectionsPerIpBurst: 3 }), ts);
      // 2 per second: one token every 500 ms
      const attempts = hot("abcd 496ms e 499ms f 499ms g--", { a: "1", b: "1", c: "1", d: "1", e: "1", f: "1", g: "1" });
      expectObservable(attempts.pipe(map((ip) => outcome(hosts.admit(ip))))).toBe("yyyr 496ms r 499ms y 499ms y--");
    });
  });

  it("forgets hosts that have nothing open once their rate budget is whole again", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const hosts = new HostAdmission(verifyHostLimits({ newConnectionsPerIpPerSecond: 1, newConnectionsPerIpBurst: 1 }), ts);
      // 100 hosts connect and leave at once; 2 s later one more arrives and the table is pruned
      const churn = cold("a 2s b", { a: 0, b: 100 });
      const sizes = churn.pipe(
        map((n) => {
          if (n === 0) for (let i = 0; i < 100; i++) (hosts.admit(`10.0.${i}.1`) as { ticket: HostTicket }).ticket.release();
          else hosts.admit("10.1.0.1");
          return hosts.trackedHosts;
        }),
      );
      expectObservable(sizes).toBe("a 2s b", { a: 100, b: 1 });
    });
  });

  it("verifyHostLimits names every broken rule at once", () => {
    expect(() => verifyHostLimits({ maxHandshakesPerIp: 0, newConnectionsPerIpPerSecond: -1, newConnectionsPerIpBurst: 1.5 }))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/maxHandshakesPerIp.*newConnectionsPerIpPerSecond.*newConnectionsPerIpBurst/);
  });
});
