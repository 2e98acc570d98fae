import { EventEmitter } from "node:events";
import { expect } from "chai";
import { stopSignal } from "../../../src/cli/stop-signal.js";

describe("stopSignal", () => {
  for (const [first, second, code] of [
    ["SIGINT", "SIGTERM", 143],
    ["SIGTERM", "SIGINT", 130],
    ["SIGINT", "SIGINT", 130],
  ] as const)
    it(`resolves on the first ${first}; a second signal (${second}) exits at once with ${code}`, async () => {
      const source = new EventEmitter();
      const exits: number[] = [];
      const stopped = stopSignal(source, (c) => exits.push(c));
      expect(source.listenerCount("SIGINT") + source.listenerCount("SIGTERM")).to.equal(2);
      let resolved = false;
      void stopped.then(() => (resolved = true));
      source.emit(first, first);
      await stopped;
      expect([resolved, exits]).to.deep.equal([true, []]);
      source.emit(second, second);
      expect(exits).to.deep.equal([code]);
    });

  it("installs no handler until called", () => {
    const source = new EventEmitter();
    expect(source.listenerCount("SIGINT")).to.equal(0);
    void stopSignal(source, () => undefined);
    expect(source.listenerCount("SIGTERM")).to.equal(1);
  });
});
