import { expect } from "chai";
import { isLive, transition, type ConnectionEvent, type ConnectionState } from "../../../src/mconn/connection-state.js";

const states: ConnectionState[] = ["new", "running", "closing", "closing-local-done", "closing-remote-done", "ended"];
const events: ConnectionEvent[] = ["start", "close", "local-half-closed", "remote-ended", "close-timeout"];

/** Every transition there is, written out: state, event → next state (and how it ended). */
const expected: Record<string, string> = {
  "new start": "running",
  "new close": "ended closed",
  "running close": "closing",
  "running remote-ended": "ended remote-closed",
  "closing local-half-closed": "closing-local-done",
  "closing remote-ended": "closing-remote-done",
  "closing close-timeout": "ended closed",
  "closing-local-done remote-ended": "ended closed",
  "closing-local-done close-timeout": "ended closed",
  "closing-remote-done local-half-closed": "ended closed",
  "closing-remote-done close-timeout": "ended closed",
};

const show = (s: ConnectionState, e: ConnectionEvent): string | undefined => {
  const t = transition(s, e);
  return t === undefined ? undefined : t.to === "ended" ? `ended ${t.end}` : t.to;
};

describe("an MConnection's lifecycle (one state machine)", () => {
  it("makes exactly the transitions of its table, and none from any other state and event", () => {
    for (const s of states) for (const e of events) expect(show(s, e), `${s} on ${e}`).to.equal(expected[`${s} ${e}`]);
  });

  it("ends a clean close as closed whichever side finishes first; ended takes no event", () => {
    const run = (path: ConnectionEvent[]) => path.reduce<ConnectionState>((s, e) => transition(s, e)?.to ?? s, "new");
    expect(run(["start", "close", "local-half-closed", "remote-ended"])).to.equal("ended");
    expect(run(["start", "close", "remote-ended", "local-half-closed"])).to.equal("ended");
    expect(show("closing-local-done", "remote-ended")).to.equal("ended closed");
    expect(show("closing-remote-done", "local-half-closed")).to.equal("ended closed");
    for (const e of events) expect(transition("ended", e)).to.equal(undefined);
  });

  it("is live from start to the end, closing included", () => {
    expect(states.filter(isLive)).to.deep.equal(["running", "closing", "closing-local-done", "closing-remote-done"]);
  });
});
