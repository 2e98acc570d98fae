import { expect } from "chai";
import { ReplaySubject } from "rxjs";
import type { ByteDuplex } from "../../../src/duplex/byte-duplex.js";
import { TimeoutError } from "../../../src/errors.js";
import { guardAuthenticate } from "../../../src/p2p/user-hooks.js";
import { testScheduler } from "../../helpers/marbles.js";

describe("the Switch's bound on the secret handshake (marbles)", () => {
  it("an authenticator that never answers: secretHandshakeTimeout after the handshake began, the raw socket is destroyed with TimeoutError (secret-handshake)", async () => {
    const ts = testScheduler();
    let outcome: Promise<unknown> | undefined;
    ts.run(({ expectObservable }) => {
      const destroyed = new ReplaySubject<string>();
      const raw = { destroy: (e?: Error) => destroyed.next(e instanceof TimeoutError ? `${e.stage} ${e.timeoutMs}` : String(e)) } as unknown as ByteDuplex;
      const guarded = guardAuthenticate(() => new Promise(() => undefined), 3000, ts);
      ts.schedule(() => void (outcome = guarded(raw).catch((e: unknown) => e)), 10);
      expectObservable(destroyed, "^ 10s !").toBe("3010ms d", { d: "secret-handshake 3000" });
    });
    const error = await outcome;
    expect(error).to.be.instanceOf(TimeoutError);
    expect((error as TimeoutError).stage).to.equal("secret-handshake");
  });
});
