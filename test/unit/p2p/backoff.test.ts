import { expect } from "chai";
import { reconnectDelay } from "../../../src/p2p/backoff.js";

describe("reconnect backoff", () => {
  it("follows CometBFT's schedule: 20 attempts 5 s apart, then 10 at 3^i s, jitter under 3 s", () => {
    const none = () => 0;
    const delays = Array.from({ length: 31 }, (_, k) => reconnectDelay(k + 1, none));
    expect(delays[0]).to.equal(undefined); // the first attempt is immediate
    expect(delays.slice(1, 20)).to.deep.equal(new Array(19).fill(5000));
    expect(delays[20]).to.equal(5000 + 3000);
    expect(delays.slice(21, 30)).to.deep.equal([9, 27, 81, 243, 729, 2187, 6561, 19683, 59049].map((s) => s * 1000));
    expect(reconnectDelay(31, none)).to.equal(undefined);
    const max = () => 0.9999;
    expect(reconnectDelay(2, max)).to.equal(5000 + 2999);
  });

});
